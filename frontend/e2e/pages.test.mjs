// The built pages against a scripted Go side, for what the real backend
// cannot easily be brought to show in a test: an import's progress, a
// paused import, a wrong passphrase. dist/ is served by a small static
// server; window.go is defined before the page loads (so the bridge stays
// out of the way), recording every call.
//
//   npm run build && node --test e2e/pages.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, mkdtemp, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(frontendDir, 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

let server;
let base;
let browser;
let shotDir;

before(async () => {
  assert.ok(existsSync(path.join(dist, 'index.html')), 'run npm run build first');
  shotDir = process.env.HEARTH_SCREENSHOT_DIR
    ? path.join(path.resolve(process.env.HEARTH_SCREENSHOT_DIR), 'scripted')
    : await mkdtemp(path.join(tmpdir(), 'hearth-pages-shots-'));
  await mkdir(shotDir, { recursive: true });
  console.log(`screenshots: ${shotDir}`);
  server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(dist, rel === '/' ? 'index.html' : rel);
    if (!file.startsWith(dist)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * open loads the pages with window.go.app.App built in the page from
 * script (a function source taking the call log). Rejections are plain
 * strings, as Wails rejects.
 */
async function open(script) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(`(() => {
    window.calls = [];
    const impl = (${script})(window);
    window.go = { app: { App: new Proxy({}, { get: (_, name) => typeof name === 'string' && name !== 'then'
      ? (...args) => { window.calls.push([name, ...args]); return impl[name] ? Promise.resolve().then(() => impl[name](...args)) : Promise.reject(name + ' is not scripted (InternalError)'); }
      : undefined }) } };
  })()`);
  await page.goto(base);
  return { page, errors, calls: () => page.evaluate(() => window.calls) };
}

test('a wrong passphrase is said plainly, then unlocking works', async () => {
  const { page, errors, calls } = await open(`(w) => {
    let open = false;
    return {
      State: () => open ? { phase: 'firstRun', dev: false } : { phase: 'locked', passphraseExists: true, keychainProblem: 'there is no D-Bus session bus', dev: false },
      ServerStatus: () => ({ running: true }),
      ImportStatus: () => ({ phase: 'idle', missing: [] }),
      Settings: () => ({ handleDomains: ['.example.net'] }),
      Unlock: (p) => { if (p !== 'right one') throw 'That passphrase does not open the key file (WrongPassphrase)'; open = true; },
    };
  }`);
  await page.getByRole('heading', { name: 'Unlock Hearth' }).waitFor();
  await page.getByText('Why no keychain:').waitFor();
  assert.equal(await page.getByLabel('Passphrase again').count(), 0);
  await page.getByLabel('Passphrase', { exact: true }).fill('wrong');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.textContent(), 'That passphrase does not open the key file (WrongPassphrase)');
  await page.screenshot({ path: path.join(shotDir, 'unlock-wrong.png') });
  await page.getByLabel('Passphrase', { exact: true }).fill('right one');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor();
  // Not published in production mode; the handle goes under the first domain.
  await page.getByRole('button', { name: /Create a new account/ }).click();
  await page.getByText('it is published to the PLC directory when you expose Hearth to the network').waitFor();
  await page.getByLabel('Handle').fill('@Carol');
  assert.equal(await page.getByTestId('handle-preview').textContent(), '@carol.example.net');
  await page.getByLabel('Handle').fill('bad handle');
  await page.getByText('Use only letters, digits, hyphens and dots').waitFor();
  const unlocks = (await calls()).filter((c) => c[0] === 'Unlock');
  assert.deepEqual(unlocks, [['Unlock', 'wrong'], ['Unlock', 'right one']]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an import shows its progress, pauses with the missing blobs, resumes and ends', async () => {
  const { page, errors, calls } = await open(`(w) => {
    const missing = ['bafkreimissingone', 'bafkreimissingtwo'];
    let n = 0;
    w.importPhase = 'blobs';
    const status = () => {
      n++;
      const s = { did: 'did:plc:abcdefghijklmnopqrstuvwx', handle: 'dana.example.com', pds: 'https://old.example.com', repoBytes: 2500000,
        records: 1234, blobsDone: 10, blobsTotal: 40, blobBytes: 12000000, missing: [], startedAt: '2026-11-25T03:00:00Z', updatedAt: '2026-11-25T03:00:00Z' };
      if (w.importPhase === 'paused') return { ...s, phase: 'paused', blobsDone: 38, missing };
      if (w.importPhase === 'done') return { ...s, phase: 'done', blobsDone: 40 };
      return { ...s, phase: w.importPhase, blobsDone: Math.min(10 + n, 40) };
    };
    return {
      State: () => w.importPhase === 'done'
        ? { phase: 'ready', account: { did: 'did:plc:abcdefghijklmnopqrstuvwx', handle: 'dana.example.com', imported: true } }
        : { phase: 'importing', dev: false },
      ImportStatus: status,
      ResumeImport: () => { w.importPhase = 'blobs'; setTimeout(() => { w.importPhase = 'done'; }, 1500); return status(); },
      CancelImport: () => {},
      ServerStatus: () => ({ running: true, url: 'http://127.0.0.1:2583', port: 2583, startedAt: '2026-11-25T03:00:00Z', backend: 'SQLite',
        dataDir: '/home/dana/.local/share/hearth', diskBytes: 16000000, databaseBytes: 4000000, blobBytes: 12000000, blobCount: 40, plcUrl: 'https://plc.directory',
        account: { did: 'did:plc:abcdefghijklmnopqrstuvwx', handle: 'dana.example.com', imported: true }, network: 'Local only (loopback)',
        didDocPointsHere: false, didDocNote: 'The DID document still names https://old.example.com; it switches to Hearth when you go public.' }),
      RecentCommits: () => [],
      Logs: () => [],
    };
  }`);
  await page.getByRole('heading', { name: 'Bringing your account here' }).waitFor();
  await page.getByText('Copying media files (blobs)').waitFor();
  await page.getByText('1,234').waitFor();
  await page.getByText('2.5 MB').waitFor();
  await page.getByText('12 MB').waitFor();
  assert.ok(await page.getByRole('progressbar', { name: 'Media files copied' }).isVisible());
  assert.ok(await page.getByRole('button', { name: 'Cancel' }).isVisible());
  await page.screenshot({ path: path.join(shotDir, 'import-progress.png') });

  await page.evaluate(() => (window.importPhase = 'paused'));
  const list = page.getByRole('list', { name: 'Missing media files' });
  await list.waitFor();
  assert.deepEqual(await list.getByRole('listitem').allTextContents(), ['bafkreimissingone', 'bafkreimissingtwo']);
  assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
  await page.getByRole('button', { name: 'Discard' }).click();
  await page.getByRole('group', { name: 'Confirm discard' }).waitFor();
  await page.getByRole('button', { name: 'Keep it' }).click();
  await page.screenshot({ path: path.join(shotDir, 'import-paused.png') });
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor({ timeout: 15_000 });
  await page.getByText('Still served by your previous PDS').waitFor();
  await page.getByText('Points elsewhere').waitFor();
  const names = (await calls()).map((c) => c[0]);
  assert.ok(names.includes('ResumeImport'));
  assert.ok(!names.includes('DiscardImport'));
  assert.ok(!names.includes('CancelImport'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a server that did not start is said, with a way to start it', async () => {
  const { page, errors } = await open(`(w) => {
    let started = false;
    return {
      State: () => ({ phase: 'firstRun', keyLocation: 'keychain', startError: started ? '' : 'Cannot listen on 127.0.0.1:2583 (change the port in Settings): address already in use (InternalError)' }),
      ServerStatus: () => ({ running: started }),
      StartServer: () => { started = true; },
      ImportStatus: () => ({ phase: 'idle', missing: [] }),
      Settings: () => ({ handleDomains: ['.test'] }),
    };
  }`);
  await page.getByRole('heading', { name: 'Hearth’s server is stopped' }).waitFor();
  await page.getByText('address already in use').waitFor();
  await page.getByRole('button', { name: 'Start server' }).click();
  await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
