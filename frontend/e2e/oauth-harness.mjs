// What the delegation and OAuth browser tests share: the binary's
// processes (`hearth ui`, `hearth serve`), screenshots, chromium, the
// first-run form and XRPC calls. Env as e2e/app.test.mjs:
// HEARTH_TEST_BINARY, HEARTH_SCREENSHOT_DIR, CHROMIUM, HEARTH_KEEP_DATA,
// UPDATE_SCREENSHOTS.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(frontendDir, '..');
export const binary = path.resolve(frontendDir, process.env.HEARTH_TEST_BINARY || '../bin/hearth');
export const viewport = { width: 1280, height: 900 };
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';
const dirs = [];

/** screenshotDir is HEARTH_SCREENSHOT_DIR or a new temp dir, printed. */
export function screenshotDir(prefix) {
  const dir = process.env.HEARTH_SCREENSHOT_DIR ? path.resolve(process.env.HEARTH_SCREENSHOT_DIR) : mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  console.log(`screenshots: ${dir}`);
  return dir;
}

/**
 * shooter returns shot(page, name, docName, whole): a numbered screenshot
 * in dir (its name starting with tag), copied to docs/img/docName with
 * UPDATE_SCREENSHOTS=1. With whole, the whole page is captured by making
 * the viewport as tall as the page for a moment (the app's frame is as
 * tall as the viewport, so a "full page" capture would cut its sidebar
 * short).
 */
export function shooter(dir, tag) {
  let n = 0;
  return async function shot(page, name, docName, whole = false) {
    n++;
    const file = path.join(dir, `${tag}${String(n).padStart(2, '0')}-${name}.png`);
    const size = page.viewportSize();
    if (whole) {
      const height = await page.evaluate(() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight));
      await page.setViewportSize({ width: size.width, height: Math.min(Math.max(height, size.height), 4000) });
    }
    try {
      await page.screenshot({ path: file });
    } finally {
      if (whole) await page.setViewportSize(size);
    }
    if (updateDocs && docName) {
      const dest = path.join(repoDir, 'docs', 'img', docName);
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(file, dest);
      console.log(`wrote ${path.relative(repoDir, dest)}`);
    }
    return file;
  };
}

/** tempDir is a new temp dir, removed by cleanup unless HEARTH_KEEP_DATA is set. */
export function tempDir(prefix) {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanup() {
  if (!process.env.HEARTH_KEEP_DATA) for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

function childEnv() {
  const env = { ...process.env };
  for (const k of ['HEARTH_TEST_BINARY', 'HEARTH_SCREENSHOT_DIR', 'HEARTH_KEEP_DATA']) delete env[k];
  return env;
}

/**
 * run starts the binary with args, its output logged to dir/name.log;
 * .match resolves the first group of pattern once stdout matches it.
 */
export function run(dir, name, args, pattern) {
  const logFile = path.join(dir, `${name}.log`);
  const log = createWriteStream(logFile);
  const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  proc.stderr.pipe(log);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const match = new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${name} printed nothing matching ${pattern} within 60 s (log: ${logFile})`)), 60_000);
    proc.stdout.on('data', (chunk) => {
      buf += chunk.toString();
      log.write(chunk);
      const m = pattern.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) early (log: ${logFile})`));
    });
  });
  return { name, proc, match, exited, logFile };
}

/** stop ends a process started by run and checks it exited cleanly. */
export async function stop(h) {
  if (!h) return;
  h.proc.kill('SIGTERM');
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`${h.name} did not exit within 30 s of SIGTERM`)), 30_000));
  const { code, signal } = await Promise.race([h.exited, timeout]);
  assert.equal(signal, null, `${h.name} died of ${signal}`);
  assert.equal(code, 0, `${h.name} exited with ${code} (log: ${h.logFile})`);
}

/** startUI runs `hearth ui --dev` on a fresh data dir, logged to dir/name.log; .match is the pages' URL. */
export function startUI(dir, name) {
  assert.ok(existsSync(binary), `no binary at ${binary}: run npm run build, then go build -o bin/hearth . in the repository`);
  return run(
    dir,
    name,
    ['ui', '--dev', '--data-dir', tempDir('hearth-e2e-ui-'), '--listen', '127.0.0.1:0', '--pds-listen', '127.0.0.1:0'],
    /Hearth's pages: (http:\/\/\S+)/,
  );
}

/**
 * startServe runs `hearth serve` (logged to dir/name.log) on a free loopback port with plc as its
 * PLC directory and open sign-ups; host names it in its public URL
 * ("localhost" keeps its cookies apart from a server on 127.0.0.1, as two
 * real servers' would be). .match is the public URL.
 */
export async function startServe(dir, name, plc, host = '127.0.0.1') {
  const port = await freePort();
  const base = `http://${host}:${port}`;
  const h = run(
    dir,
    name,
    ['serve', '--listen', `127.0.0.1:${port}`, '--public-url', base, '--data-dir', tempDir('hearth-e2e-serve-'), '--plc-url', plc, '--invite-required=false', '--handle-domains', '.test'],
    /Hearth is serving (http:\/\/\S+)/,
  );
  assert.equal(await h.match, base);
  return h;
}

/** freePort asks the system for a free loopback port (hearth serve needs its public URL's port up front). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** xrpcJSON POSTs a JSON body and expects 200. */
export async function xrpcJSON(base, nsid, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/xrpc/${nsid}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, `${nsid}: ${res.status} ${text}`);
  return JSON.parse(text);
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * firstRun answers the passphrase page if there is one, creates the
 * owner's account and returns its DID and the window's PDS and PLC
 * directory URLs from Home.
 */
export async function firstRun(page, { handle, password, passphrase }) {
  await page.waitForFunction(() => {
    const h = document.querySelector('h1');
    return h && h.textContent !== 'Hearth';
  });
  const title = (await page.getByRole('heading', { level: 1 }).first().textContent()) ?? '';
  if (title === 'Choose a passphrase') {
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Passphrase again').fill(passphrase);
    await page.getByRole('button', { name: 'Create passphrase' }).click();
  }
  await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor();
  await page.getByRole('button', { name: /Create a new account/ }).click();
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password again').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
  const did = (await page.getByTestId('header-did').textContent()) ?? '';
  assert.match(did, /^did:plc:[a-z2-7]{24}$/);
  await page.getByTestId('server-state').filter({ hasText: 'Running' }).waitFor();
  const pds = ((await page.locator('dt:text-is("Local URL") + dd').textContent()) ?? '').trim();
  const plc = ((await page.locator('dt:text-is("PLC directory") + dd').textContent()) ?? '').trim();
  assert.match(pds, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(plc, /^http:\/\/127\.0\.0\.1:\d+$/);
  return { did, pds, plc };
}

/**
 * steps runs named subtests in order; after a failure the rest are
 * skipped and the page is captured as it was.
 */
export function stepper(t, getPage, shot) {
  let failed = '';
  return (name, fn) =>
    t.test(name, { skip: failed ? `after "${failed}" failed` : false }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = name;
        await shot(getPage(), 'FAILED').catch(() => {});
        throw err;
      }
    });
}
