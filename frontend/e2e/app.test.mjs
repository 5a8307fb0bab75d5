// Browser end-to-end test: the real Go binary (`hearth ui`, with the built
// pages embedded) driven by Debian's chromium through playwright-core.
//
//   npm run build && (cd .. && go build -o bin/hearth .) && npm run test:e2e
//
// Env: HEARTH_TEST_BINARY (default ../bin/hearth), HEARTH_SCREENSHOT_DIR
// (default a new temp dir), UPDATE_SCREENSHOTS=1 to also write
// docs/img/{first-run,home,repository}.png, CHROMIUM (default
// /usr/bin/chromium). Each run uses a fresh data dir.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(frontendDir, '..');
const binary = path.resolve(frontendDir, process.env.HEARTH_TEST_BINARY || '../bin/hearth');
const shotDir = process.env.HEARTH_SCREENSHOT_DIR ? path.resolve(process.env.HEARTH_SCREENSHOT_DIR) : mkdtempSync(path.join(tmpdir(), 'hearth-e2e-shots-'));
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';
const viewport = { width: 1280, height: 800 };
const passphrase = 'correct horse battery staple';
const password = 'a long password for alice';

mkdirSync(shotDir, { recursive: true });
console.log(`screenshots: ${shotDir}`);

let dataDir;
let browser;
let shotN = 0;

async function shot(page, name, docName) {
  shotN++;
  const file = path.join(shotDir, `${String(shotN).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  if (updateDocs && docName) {
    const dest = path.join(repoDir, 'docs', 'img', docName);
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(file, dest);
    console.log(`wrote ${path.relative(repoDir, dest)}`);
  }
  return file;
}

/** childEnv is this environment without the test's own HEARTH_* settings (hearth warns about unknown ones). */
function childEnv() {
  const env = { ...process.env };
  for (const k of ['HEARTH_TEST_BINARY', 'HEARTH_SCREENSHOT_DIR', 'HEARTH_KEEP_DATA']) delete env[k];
  return env;
}

/** startHearth runs `hearth ui` on the data dir and resolves its pages' URL. */
function startHearth(run) {
  const logFile = path.join(shotDir, `hearth-run${run}.log`);
  const log = createWriteStream(logFile);
  const proc = spawn(
    binary,
    ['ui', '--dev', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--pds-listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() },
  );
  proc.stderr.pipe(log);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`hearth ui printed no URL within 60 s (log: ${logFile})`)), 60_000);
    proc.stdout.on('data', (chunk) => {
      buf += chunk.toString();
      log.write(chunk);
      const m = /Hearth's pages: (http:\/\/\S+)/.exec(buf);
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
      reject(new Error(`hearth ui exited (code ${code}, signal ${signal}) before printing its URL (log: ${logFile})`));
    });
  });
  return { proc, url, exited, logFile };
}

async function stopHearth(h) {
  h.proc.kill('SIGTERM');
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('hearth ui did not exit within 30 s of SIGTERM')), 30_000));
  const { code, signal } = await Promise.race([h.exited, timeout]);
  assert.equal(signal, null, `hearth ui died of ${signal}`);
  assert.equal(code, 0, `hearth ui exited with ${code} (log: ${h.logFile})`);
}

async function openPage(url) {
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const consoleErrors = [];
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(url);
  return { context, page, consoleErrors };
}

/** settle waits past the start-up screen and answers the passphrase page. */
async function passLock(page) {
  const h1 = page.getByRole('heading', { level: 1 });
  await page.waitForFunction(() => {
    const h = document.querySelector('h1');
    return h && h.textContent !== 'Hearth';
  });
  const title = (await h1.first().textContent()) ?? '';
  if (title === 'Choose a passphrase') {
    await shot(page, 'passphrase-create');
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Passphrase again').fill(passphrase);
    await page.getByRole('button', { name: 'Create passphrase' }).click();
    return 'created';
  }
  if (title === 'Unlock Hearth') {
    await shot(page, 'passphrase-unlock');
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
    return 'unlocked';
  }
  return 'keychain';
}

before(async () => {
  assert.ok(existsSync(binary), `no binary at ${binary}: run npm run build, then go build -o bin/hearth . in the repository`);
  dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-e2e-data-'));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  if (dataDir && !process.env.HEARTH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
});

test('first run, records, validation, delete, restart', { timeout: 300_000 }, async (t) => {
  let hearth = startHearth(1);
  const url = await hearth.url;
  let { context, page, consoleErrors } = await openPage(url);
  let lock;
  let did;
  const firstText = 'Hello from the end-to-end test';
  const keptText = 'This post survives a restart';
  let keptRkey;

  // Steps run in order; after a failure the rest are skipped, and the page
  // is captured as it was.
  let failed = '';
  const step = (name, fn) =>
    t.test(name, { skip: failed ? `after "${failed}" failed` : false }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = name;
        await shot(page, 'FAILED').catch(() => {});
        throw err;
      }
    });

  try {
    await step('1. passphrase page when there is no keychain', async () => {
      lock = await passLock(page);
      console.log(`master key: ${lock === 'keychain' ? 'system keychain (no passphrase page)' : 'passphrase ' + lock}`);
    });

    await step('2. first run: create an account', async () => {
      await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor();
      // "Bring my account here" with a CAR file that is not there: the
      // error is shown in the form, nothing starts.
      await page.getByRole('button', { name: /Bring my account here/ }).click();
      await page.getByRole('radio', { name: 'Use a repository file (CAR)' }).check();
      await page.getByText('Your DID keeps pointing to your current PDS until you go public').waitFor();
      await page.getByRole('button', { name: 'Browse…' }).click();
      await page.getByText(/type the file.s path/).waitFor(); // no file dialog in a browser
      await page.getByRole('textbox', { name: 'Repository file' }).fill('/nonexistent/repo.car');
      await page.getByLabel('Password for this Hearth').fill(password);
      await page.getByRole('button', { name: 'Start copying' }).click();
      const importError = page.getByRole('form', { name: 'Bring my account here' }).getByRole('alert').last();
      await importError.filter({ hasText: '/nonexistent/repo.car' }).waitFor();
      assert.match((await importError.textContent()) ?? '', /\([A-Z][A-Za-z]+\)$/);
      await shot(page, 'import-error');
      await page.getByRole('button', { name: /Create a new account/ }).click();
      await page.getByLabel('Handle').fill('alice');
      await page.getByTestId('handle-preview').filter({ hasText: '@alice.test' }).waitFor();
      await page.getByLabel('Email (optional)').fill('alice@example.com');
      await page.getByText('published at once to the local PLC directory').waitFor();
      await shot(page, 'first-run', 'first-run.png');
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Password again').fill(password);
      await page.getByRole('button', { name: 'Create account' }).click();
    });

    await step('3. Home shows the DID and handle', async () => {
      await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
      assert.equal(await page.getByTestId('header-handle').textContent(), '@alice.test');
      did = (await page.getByTestId('header-did').textContent()) ?? '';
      assert.match(did, /^did:plc:[a-z2-7]{24}$/);
      await page.getByTestId('identity-did').filter({ hasText: did }).waitFor();
      await page.getByTestId('server-state').filter({ hasText: 'Running' }).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Copy DID', exact: true }).isVisible());
      // Every page of the sidebar is there; later pages say so calmly.
      for (const name of ['Home', 'Repository', 'Private', 'Delegation', 'Plugins', 'Exposure', 'Settings']) {
        assert.ok(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: new RegExp('^' + name) }).isVisible(), name);
      }
      await page.getByRole('link', { name: /^Exposure/ }).click();
      await page.getByRole('heading', { name: 'Not yet available' }).waitFor();
      await page.getByRole('link', { name: /^Home/ }).click();
      await shot(page, 'home-new-account');
    });

    let rkey;
    let firstCID;
    await step('4. Repository: create a post, see it listed, open it', async () => {
      await page.getByRole('link', { name: /^Repository/ }).click();
      await page.getByRole('heading', { name: 'Repository', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'New record', exact: true }).click();
      assert.equal(await page.getByRole('textbox', { name: 'Collection', exact: true }).inputValue(), 'app.bsky.feed.post');
      const editor = page.getByRole('textbox', { name: 'Record JSON' });
      const rec = JSON.parse(await editor.inputValue());
      assert.equal(rec.$type, 'app.bsky.feed.post');
      assert.ok(!Number.isNaN(Date.parse(rec.createdAt)));
      rec.text = firstText;
      await editor.fill(JSON.stringify(rec, null, 2));
      await shot(page, 'new-record');
      await page.getByRole('button', { name: 'Create record' }).click();
      // The new record opens; the collection and its row are listed.
      await page.getByRole('button', { name: /app\.bsky\.feed\.post, 1 records/ }).waitFor();
      const row = page.getByRole('row').filter({ hasText: firstText });
      await row.waitFor();
      rkey = (await row.getByRole('button').textContent()) ?? '';
      assert.match(rkey, /^[a-z2-7]{13}$/);
      await page.getByRole('heading', { name: `Record ${rkey}` }).waitFor();
      const json = JSON.parse((await page.getByLabel('Record JSON').textContent()) ?? '');
      assert.equal(json.text, firstText);
      firstCID = (await page.getByTestId('record-cid').textContent()) ?? '';
      assert.match(firstCID, /^bafyrei[a-z2-7]+$/);
      assert.match((await page.getByTestId('record-commit').textContent()) ?? '', /^rev [a-z2-7]{13}/);
      // Close and reopen from the table.
      await page.getByRole('button', { name: 'Close record' }).click();
      await page.getByRole('button', { name: `Open record ${rkey}` }).click();
      await page.getByTestId('record-cid').filter({ hasText: firstCID }).waitFor();
      await shot(page, 'record-open');
    });

    await step('5. edit the record: a new CID', async () => {
      await page.getByRole('button', { name: 'Edit' }).click();
      const editor = page.getByRole('textbox', { name: 'Record JSON' });
      const rec = JSON.parse(await editor.inputValue());
      rec.text = firstText + ', edited';
      await editor.fill(JSON.stringify(rec, null, 2));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(/^Saved\. New CID/).waitFor();
      const cid = (await page.getByTestId('record-cid').textContent()) ?? '';
      assert.match(cid, /^bafyrei/);
      assert.notEqual(cid, firstCID);
      assert.equal(JSON.parse((await page.getByLabel('Record JSON').textContent()) ?? '').text, firstText + ', edited');
      await page.getByRole('row').filter({ hasText: firstText + ', edited' }).waitFor();
      await shot(page, 'record-edited');
    });

    await step('6. an invalid record: the field and (InvalidRecord) inline', async () => {
      await page.getByRole('button', { name: 'Edit' }).click();
      const editor = page.getByRole('textbox', { name: 'Record JSON' });
      const rec = JSON.parse(await editor.inputValue());
      rec.text = 42;
      await editor.fill(JSON.stringify(rec, null, 2));
      await page.getByRole('button', { name: 'Save' }).click();
      const alert = page.locator('#record-editor-error');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /Field text/);
      assert.match(text, /\(InvalidRecord\)/);
      assert.equal(await editor.getAttribute('aria-invalid'), 'true');
      await shot(page, 'record-invalid');
      await page.getByRole('button', { name: 'Cancel' }).click();
      // Nothing was written.
      assert.equal(JSON.parse((await page.getByLabel('Record JSON').textContent()) ?? '').text, firstText + ', edited');
    });

    await step('7. delete the record: gone from the list', async () => {
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('group', { name: 'Confirm delete' }).waitFor();
      await page.getByRole('button', { name: 'Delete record' }).click();
      await page.getByRole('heading', { name: `Record ${rkey}` }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: `Open record ${rkey}` }).waitFor({ state: 'detached' });
      await shot(page, 'record-deleted');
    });

    await step('a record to keep, search by rkey, an image blob, the docs screenshots', async () => {
      // A profile record with a chosen rkey, through the same form.
      await page.getByRole('button', { name: 'New record', exact: true }).click();
      await page.getByRole('textbox', { name: 'Collection', exact: true }).fill('app.bsky.actor.profile');
      await page.getByRole('textbox', { name: 'Record key (optional)' }).fill('self');
      await page
        .getByRole('textbox', { name: 'Record JSON' })
        .fill(JSON.stringify({ $type: 'app.bsky.actor.profile', displayName: 'Alice', description: 'Testing Hearth' }, null, 2));
      await page.getByRole('button', { name: 'Create record' }).click();
      await page.getByRole('heading', { name: 'Record self' }).waitFor();
      await page.getByRole('button', { name: /app\.bsky\.actor\.profile, 1 records/ }).waitFor();

      // An image uploaded by an app (XRPC, with the account's password),
      // then a post that uses it, written in the window.
      await page.getByRole('link', { name: /^Home/ }).click();
      const pds = (await page.getByText(/^http:\/\/127\.0\.0\.1:\d+$/).first().textContent()) ?? '';
      const png = await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 320 } });
      const session = await fetch(`${pds}/xrpc/com.atproto.server.createSession`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ identifier: 'alice.test', password }),
      });
      assert.equal(session.status, 200, await session.clone().text());
      const { accessJwt } = await session.json();
      const up = await fetch(`${pds}/xrpc/com.atproto.repo.uploadBlob`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/png', Authorization: `Bearer ${accessJwt}` },
        body: png,
      });
      assert.equal(up.status, 200, await up.clone().text());
      const { blob } = await up.json();

      await page.getByRole('link', { name: /^Repository/ }).click();
      await page.getByRole('button', { name: 'New record', exact: true }).click();
      await page.getByRole('textbox', { name: 'Collection', exact: true }).fill('app.bsky.feed.post');
      const editor = page.getByRole('textbox', { name: 'Record JSON' });
      const rec = JSON.parse(await editor.inputValue());
      rec.text = keptText;
      rec.embed = { $type: 'app.bsky.embed.images', images: [{ alt: 'Hearth, seen from Hearth', image: blob }] };
      await editor.fill(JSON.stringify(rec, null, 2));
      await page.getByRole('button', { name: 'Create record' }).click();
      const row = page.getByRole('row').filter({ hasText: keptText });
      await row.waitFor();
      keptRkey = (await row.getByRole('button').textContent()) ?? '';
      await page.getByRole('heading', { name: `Record ${keptRkey}` }).waitFor();
      await page.getByRole('button', { name: /app\.bsky\.feed\.post, 1 records/ }).waitFor();

      // Search by rkey prefix.
      const search = page.getByRole('searchbox', { name: 'Search by record key' });
      await search.fill('zzz');
      await page.getByText('No record key starts with “zzz”.').waitFor();
      await search.fill(keptRkey.slice(0, 6));
      await page.getByRole('button', { name: `Open record ${keptRkey}` }).waitFor();
      await search.fill('');
      await search.blur();
      await shot(page, 'repository', 'repository.png');

      // The blobs gallery shows the image with its MIME type and size.
      await page.getByRole('tab', { name: 'Blobs' }).click();
      const img = page.getByRole('img', { name: /^Image / });
      await img.waitFor();
      assert.ok(await img.evaluate((el) => el.naturalWidth > 0), 'the thumbnail is a real image');
      await page.getByText('image/png').waitFor();
      await shot(page, 'blobs');
      await page.getByRole('tab', { name: 'Records' }).click();

      await page.getByRole('link', { name: /^Home/ }).click();
      // The live list shows the commits (create, update, delete, create).
      const commits = page.getByRole('list', { name: 'Recent commits' });
      await commits.getByText(`app.bsky.feed.post/${keptRkey}`).waitFor({ timeout: 15_000 });
      await commits.getByText(`app.bsky.feed.post/${rkey}`).first().waitFor();
      await page.getByText('1 blob,').waitFor({ timeout: 10_000 });
      await shot(page, 'home', 'home.png');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'home-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await step('stop and start the server from Home; save settings and restart', async () => {
      const port = (await page.getByRole('definition').filter({ hasText: /^\d+$/ }).first().textContent()) ?? '';
      assert.match(port, /^\d+$/);
      await page.getByRole('button', { name: 'Stop server' }).click();
      await page.getByTestId('server-state').filter({ hasText: 'Stopped' }).waitFor();
      // Still the app frame with the account, not the first-run page.
      assert.equal(await page.getByTestId('header-handle').textContent(), '@alice.test');
      await page.getByText('The server is stopped.').waitFor();
      await shot(page, 'home-stopped');
      await page.getByRole('button', { name: 'Start server' }).click();
      await page.getByTestId('server-state').filter({ hasText: 'Running' }).waitFor();

      await page.getByRole('link', { name: /^Settings/ }).click();
      const dir = page.getByRole('textbox', { name: 'Data directory' });
      await dir.waitFor();
      assert.equal(await dir.inputValue(), dataDir);
      assert.equal(await page.getByRole('radio', { name: /PostgreSQL/ }).isDisabled(), true);
      assert.match((await page.getByTestId('key-location').textContent()) ?? '', lock === 'keychain' ? /keychain/ : /passphrase/);
      // Keep the port the server has now (the default, 2583, may be taken).
      await page.getByRole('spinbutton', { name: 'Port' }).fill(port);
      await page.getByRole('combobox', { name: 'Log level' }).selectOption('debug');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved. Restart the server to apply.').waitFor();
      await shot(page, 'settings-saved');
      await page.getByRole('button', { name: 'Restart server to apply' }).click();
      await page.getByText('The server restarted with the new settings.').waitFor();
      await page.reload();
      await page.getByRole('combobox', { name: 'Log level' }).waitFor();
      assert.equal(await page.getByRole('combobox', { name: 'Log level' }).inputValue(), 'debug');
      await shot(page, 'settings');
    });

    await step('no errors in the page', async () => assert.deepEqual(consoleErrors, []));

    await step('8. restart: the account and the record are still there', async () => {
      await context.close();
      await stopHearth(hearth);
      hearth = startHearth(2);
      ({ context, page, consoleErrors } = await openPage(await hearth.url));
      const lock2 = await passLock(page);
      if (lock !== 'keychain') assert.equal(lock2, 'unlocked');
      await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
      assert.equal(await page.getByTestId('header-handle').textContent(), '@alice.test');
      assert.equal(await page.getByTestId('header-did').textContent(), did);
      await page.getByRole('link', { name: /^Repository/ }).click();
      await page.getByRole('button', { name: /app\.bsky\.actor\.profile, 1 records/ }).waitFor();
      await page.getByRole('button', { name: /app\.bsky\.feed\.post, 1 records/ }).click();
      await page.getByRole('button', { name: `Open record ${keptRkey}` }).click();
      assert.equal(JSON.parse((await page.getByLabel('Record JSON').textContent()) ?? '').text, keptText);
      await shot(page, 'after-restart');
      assert.deepEqual(consoleErrors, [], 'page errors');
    });
  } finally {
    await context.close().catch(() => {});
    await stopHearth(hearth).catch((err) => console.error(String(err)));
  }
});
