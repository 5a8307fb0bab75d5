// Starts a real did:plc directory (@did-plc/server, in memory) and a Hearth
// binary on loopback for the reference-client tests.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import http from 'node:http'
import net from 'node:net'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)

async function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)) })
    srv.on('error', reject)
  })
}

async function startPLC () {
  const { PlcServer, Database } = require('@did-plc/server')
  const port = await freePort()
  const plc = PlcServer.create({ db: Database.mock(), port })
  const server = http.createServer(plc.app)
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { url: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(resolve)) }
}

async function waitHealthy (url, ms) {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      const res = await fetch(url + '/xrpc/_health')
      if (res.ok) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// startHearth runs the binary (HEARTH_TEST_BINARY, default ../../bin/hearth)
// with a fresh data directory and returns its URL and a stop function.
export async function startHearth () {
  const plc = await startPLC()
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-npm-'))
  const bin = process.env.HEARTH_TEST_BINARY || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/hearth')
  const url = `http://localhost:${port}`
  const log = fs.openSync(path.join(dir, 'hearth.log'), 'w')
  const child = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      HEARTH_LISTEN: `127.0.0.1:${port}`,
      HEARTH_PUBLIC_URL: url,
      HEARTH_DATA_DIR: dir,
      HEARTH_PLC_URL: plc.url,
      HEARTH_HANDLE_DOMAINS: '.test',
      HEARTH_INVITE_REQUIRED: 'false',
      HEARTH_DB: process.env.HEARTH_NPM_DB || `sqlite://${dir}/hearth.db`,
    },
    stdio: ['ignore', log, log],
  })
  try {
    await waitHealthy(url, 30000)
  } catch (e) {
    child.kill('SIGKILL')
    throw new Error(e.message + '\n' + fs.readFileSync(path.join(dir, 'hearth.log'), 'utf8'))
  }
  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await plc.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return { url, plcUrl: plc.url, stop }
}
