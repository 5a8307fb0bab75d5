// Browser end-to-end test of the Plugins page: the real binary (`hearth ui
// --dev`, with the built pages embedded) driven by Debian's chromium
// through playwright-core, and a real plugin: plugins/examples/contentfilter
// compiled by `go build` (GOOS=wasip1, a c-shared reactor) into a temp
// folder with its plugin.toml, whose sha256 `hearth plugin pack` sets. Nothing built is
// committed.
//
//   npm run build && (cd .. && go build -o bin/hearth .) && node --test e2e/plugins.test.mjs
//
// 1. First run creates alice; the Plugins page has no plugin.
// 2. Install from the folder's path (a wrong path is refused in words):
//    listed disabled and unverified.
// 3. Enable: the review dialog lists every capability in plain words,
//    ticked; untick one and one host; the grant is what stayed ticked.
// 4. Configure a banned word (a bad int is caught inline); a post with it
//    is refused naming the plugin, over XRPC and in the Repository page.
// 5. Disable: the post goes through. Reload (from its folder), enable
//    again: refused again; the counts and latencies show; screenshots.
// 6. Uninstall with its data; a stopped server is said so.
//
// Env as e2e/app.test.mjs: HEARTH_TEST_BINARY, HEARTH_SCREENSHOT_DIR,
// CHROMIUM, HEARTH_KEEP_DATA; UPDATE_SCREENSHOTS=1 also writes
// docs/img/plugins.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binary, cleanup, firstRun, launchBrowser, repoDir, screenshotDir, shooter, startUI, stepper, stop, tempDir, viewport } from './oauth-harness.mjs';

const shotDir = screenshotDir('hearth-e2e-plugins-shots-');
const shot = shooter(shotDir, 'p');
const passphrase = 'correct horse battery staple';
const password = 'a long password for alice';
const pluginID = 'dev.hearthpds.example.contentfilter';
const example = path.join(repoDir, 'plugins', 'examples', 'contentfilter');

// The example's manifest declares no capabilities; this copy declares some
// (declaring more than a module imports is allowed) so the review has
// something to show and narrow, and more config fields for the editor.
const extraCapabilities = `capabilities = [
  { kind = "http:fetch", hosts = ["hooks.example.com", "*.example.org"], methods = ["POST"] },
  { kind = "record:read", collections = ["app.bsky.*"] },
  { kind = "kv:read" },
  { kind = "kv:write" },
]

[hooks]`;
const extraConfig = `
max_words = { type = "int", default = 3 }
strict = { type = "bool", default = false }
`;

/**
 * buildPlugin compiles the example into dir, writes the manifest copy and
 * sets its sha256 with `hearth plugin pack` (the binary under test).
 */
function buildPlugin(dir) {
  const wasm = path.join(dir, 'plugin.wasm');
  try {
    execFileSync('go', ['build', '-buildmode=c-shared', '-trimpath', '-o', wasm, '.'], {
      cwd: example,
      env: { ...process.env, GOOS: 'wasip1', GOARCH: 'wasm', GOWORK: 'off', CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('go is not installed: the test builds the plugin with it (Go toolchain, go.mod’s version)');
    throw new Error(`go build of ${example} failed: ${err.stderr ?? err}`);
  }
  const manifest = readFileSync(path.join(example, 'plugin.toml'), 'utf8').replace('[hooks]', extraCapabilities);
  assert.ok(manifest.includes('kv:write'), 'the manifest copy has the capabilities');
  writeFileSync(path.join(dir, 'plugin.toml'), manifest + extraConfig);
  const packed = execFileSync(binary, ['plugin', 'pack', dir], { encoding: 'utf8' });
  const sum = createHash('sha256').update(readFileSync(wasm)).digest('hex');
  assert.ok(packed.includes(`sha256 ${sum}`) && readFileSync(path.join(dir, 'plugin.toml'), 'utf8').includes(sum), `pack set the module's sha256: ${packed}`);
  return dir;
}

let browser;
let pluginDir;

before(async () => {
  pluginDir = buildPlugin(tempDir('hearth-e2e-plugin-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  cleanup();
});

/** session signs alice in over XRPC and returns post(text) → the createRecord response. */
async function session(pds) {
  const res = await fetch(`${pds}/xrpc/com.atproto.server.createSession`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ identifier: 'alice.test', password }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { accessJwt, did } = await res.json();
  return async (text) => {
    const r = await fetch(`${pds}/xrpc/com.atproto.repo.createRecord`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessJwt}` },
      body: JSON.stringify({ repo: did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() } }),
    });
    return { status: r.status, body: await r.json() };
  };
}

test('plugins page: install, review, enable, configure, disable, reload, uninstall', { timeout: 300_000 }, async (t) => {
  const ui = startUI(shotDir, 'plugins-hearth-ui');
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const step = stepper(t, () => page, shot);
  const row = () => page.getByRole('list', { name: 'Installed plugins' }).getByRole('listitem', { name: 'Content filter', exact: true });
  const notice = () => page.locator('p.notice');
  let post;

  try {
    await step('first run, then the Plugins page: nothing installed', async () => {
      await page.goto(await ui.match);
      const { pds } = await firstRun(page, { handle: 'alice', password, passphrase });
      post = await session(pds);
      const link = page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /^Plugins/ });
      assert.equal((await link.textContent())?.trim(), 'Plugins', 'the sidebar no longer says "soon"');
      await link.click();
      await page.getByRole('heading', { name: 'Plugins', level: 1 }).waitFor();
      await page.getByText('No plugin is installed.').waitFor();
      // hearth ui has no folder dialog: the page asks for a path only.
      assert.equal(await page.getByRole('button', { name: 'Choose…' }).count(), 0);
    });

    await step('install from the folder: a wrong path is refused, the right one listed disabled and unverified', async () => {
      const form = page.getByRole('form', { name: 'Install a plugin' });
      const field = form.getByRole('textbox', { name: 'Plugin folder or .zip' });
      await field.fill('plugins/contentfilter');
      await form.getByRole('button', { name: 'Install' }).click();
      await form.getByRole('alert').filter({ hasText: /full path.*\(InvalidRequest\)/ }).waitFor();
      await field.fill(path.join(pluginDir, 'missing'));
      await form.getByRole('button', { name: 'Install' }).click();
      await form.getByRole('alert').filter({ hasText: /^Nothing to install there.*\(InvalidRequest\)$/ }).waitFor();
      await field.fill(pluginDir);
      await form.getByRole('button', { name: 'Install' }).click();
      await notice().filter({ hasText: 'Installed Content filter 0.1.0. It is disabled' }).waitFor();
      assert.equal(await field.inputValue(), '');
      await row().waitFor();
      assert.equal(await row().getByTestId('plugin-state').textContent(), 'Disabled');
      assert.equal(await row().getByTestId('plugin-unverified').textContent(), 'Unverified');
      await row().getByText(pluginID, { exact: true }).waitFor();
      assert.match((await row().getByTestId('plugin-counts').textContent()) ?? '', /^0 calls · 0 errors · p50 — · p99 —$/);
      // Installing it again is refused.
      await field.fill(pluginDir);
      await form.getByRole('button', { name: 'Install' }).click();
      await form.getByRole('alert').filter({ hasText: '(PluginExists)' }).waitFor();
      await field.fill('');
    });

    await step('enable: the review lists every capability in words; a narrowed grant', async () => {
      await row().getByRole('button', { name: 'Enable Content filter' }).click();
      const dialog = page.getByRole('dialog', { name: 'Enable Content filter 0.1.0?' });
      await dialog.waitFor();
      await dialog.getByText(/^Unverified\./).waitFor();
      const caps = dialog.getByRole('group', { name: 'It asks to' });
      const want = [
        'Send HTTP requests to hooks.example.com and *.example.org (POST)',
        'Read public records in app.bsky.*',
        'Read the data it stored itself',
        'Store up to 1 MiB of its own data',
      ];
      for (const name of want) assert.ok(await caps.getByRole('checkbox', { name, exact: true }).isChecked(), `${name} is ticked`);
      const hosts = caps.getByRole('list', { name: /^Hosts for: / });
      assert.deepEqual(await hosts.getByRole('checkbox').evaluateAll((els) => els.map((e) => e.checked)), [true, true]);
      await dialog.getByRole('list', { name: 'When it runs' }).getByText(/new records before they are written \(app\.bsky\.feed\.post\)/).waitFor();
      assert.equal(await dialog.getByTestId('grant-summary').textContent(), 'Grants all 4 capabilities it asks for.');
      // Untick kv:write and one host.
      await caps.getByRole('checkbox', { name: 'Store up to 1 MiB of its own data' }).uncheck();
      await hosts.getByRole('checkbox', { name: /^\*\.example\.org/ }).uncheck();
      assert.equal(await dialog.getByTestId('grant-summary').textContent(), 'Grants 3 of the 4 capabilities it asks for, some narrowed.');
      await shot(page, 'review');
      // Cancel leaves it disabled; Escape too.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await row().getByTestId('plugin-state').textContent(), 'Disabled');
      await row().getByRole('button', { name: 'Enable Content filter' }).click();
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      // Again, for real: everything is ticked anew.
      await row().getByRole('button', { name: 'Enable Content filter' }).click();
      assert.equal(await dialog.getByTestId('grant-summary').textContent(), 'Grants all 4 capabilities it asks for.');
      await caps.getByRole('checkbox', { name: 'Store up to 1 MiB of its own data' }).uncheck();
      await hosts.getByRole('checkbox', { name: /^\*\.example\.org/ }).uncheck();
      await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await notice().filter({ hasText: 'Content filter is enabled.' }).waitFor();
      await row().getByTestId('plugin-state').filter({ hasText: 'Enabled' }).waitFor();
      // The details show the grant as narrowed.
      await row().getByRole('button', { name: 'Details of Content filter' }).click();
      const granted = row().getByRole('list', { name: 'What Content filter was granted' });
      assert.deepEqual(await granted.getByRole('listitem').allTextContents(), [
        'Send HTTP requests to hooks.example.com (POST)',
        'Read public records in app.bsky.*',
        'Read the data it stored itself',
      ]);
      assert.equal(await row().getByRole('list', { name: 'What Content filter asks for' }).getByRole('listitem').count(), 4);
    });

    await step('configure a banned word (a bad number is caught inline); the post is refused naming the plugin', async () => {
      assert.equal((await post('nothing is banned yet: spam')).status, 200);
      const form = row().getByRole('form', { name: 'Configuration of Content filter' });
      const maxWords = form.getByRole('textbox', { name: 'max_words' });
      assert.equal(await maxWords.inputValue(), '3');
      await maxWords.fill('ten');
      await form.getByRole('textbox', { name: 'banned' }).fill('spam\neggs');
      await form.getByRole('button', { name: 'Save configuration' }).click();
      await form.getByRole('alert').filter({ hasText: 'Type a whole number' }).waitFor();
      assert.equal(await maxWords.getAttribute('aria-invalid'), 'true');
      await shot(page, 'config-invalid');
      await maxWords.fill('3');
      await form.getByRole('button', { name: 'Save configuration' }).click();
      await notice().filter({ hasText: 'Saved the configuration of Content filter' }).waitFor();
      assert.equal(await row().getByRole('form', { name: 'Configuration of Content filter' }).getByRole('textbox', { name: 'banned' }).inputValue(), 'spam\neggs');

      const refused = await post('more SPAM please');
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(refused.body.message, new RegExp(`\\(plugin ${pluginID.replace(/\./g, '\\.')}\\)`));
      assert.equal((await post('ham only')).status, 200);

      // The Repository page shows the refusal too.
      await page.getByRole('link', { name: /^Repository/ }).click();
      await page.getByRole('button', { name: 'New record', exact: true }).click();
      const editor = page.getByRole('textbox', { name: 'Record JSON' });
      const rec = JSON.parse(await editor.inputValue());
      rec.text = 'eggs, from the window';
      await editor.fill(JSON.stringify(rec, null, 2));
      await page.getByRole('button', { name: 'Create record' }).click();
      await page.locator('#new-record-error').filter({ hasText: `(plugin ${pluginID})` }).waitFor();
      await shot(page, 'repository-refused');
      await page.getByRole('link', { name: /^Plugins/ }).click();
      await row().getByTestId('plugin-counts').filter({ hasText: /^4 calls · 0 errors · p50 \d/ }).waitFor();
    });

    await step('disable: the post goes through; reload from its folder; enable again: refused again', async () => {
      await row().getByRole('button', { name: 'Disable Content filter' }).click();
      await notice().filter({ hasText: 'Content filter is disabled' }).waitFor();
      await row().getByTestId('plugin-state').filter({ hasText: 'Disabled' }).waitFor();
      assert.equal((await post('spam, now that it is off')).status, 200);

      await row().getByRole('button', { name: 'Reload Content filter' }).click();
      await notice().filter({ hasText: `Reloaded Content filter 0.1.0 from ${pluginDir}.` }).waitFor();
      assert.equal(await row().getByTestId('plugin-state').textContent(), 'Disabled');
      await row().getByRole('button', { name: 'Enable Content filter' }).click();
      const dialog = page.getByRole('dialog', { name: 'Enable Content filter 0.1.0?' });
      await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
      await row().getByTestId('plugin-state').filter({ hasText: 'Enabled' }).waitFor();
      const refused = await post('spam after the reload');
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      // The counts and latencies, and the details, read again.
      await page.getByRole('link', { name: /^Home/ }).click();
      await page.getByRole('link', { name: /^Plugins/ }).click();
      const counts = (await row().getByTestId('plugin-counts').textContent()) ?? '';
      assert.match(counts, /^5 calls · 0 errors · p50 [\d.]+ (µs|ms) · p99 [\d.]+ (µs|ms)$/);
      await row().getByRole('button', { name: 'Details of Content filter' }).click();
      await row().getByTestId('plugin-calls').filter({ hasText: '5 calls' }).waitFor();
      await row().getByText(pluginDir, { exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Plugins', level: 1 }).scrollIntoViewIfNeeded();
      await shot(page, 'plugins', 'plugins.png', true);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'plugins-dark', undefined, true);
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await step('uninstall with its data, after a "Keep"', async () => {
      await row().getByRole('button', { name: 'Uninstall Content filter' }).click();
      const confirm = row().getByRole('group', { name: 'Confirm uninstalling Content filter' });
      await confirm.getByRole('button', { name: 'Keep' }).click();
      await confirm.waitFor({ state: 'detached' });
      await row().getByRole('button', { name: 'Uninstall Content filter' }).click();
      await confirm.getByRole('checkbox', { name: /Also delete its data/ }).check();
      await shot(page, 'uninstall-confirm');
      await confirm.getByRole('button', { name: 'Uninstall', exact: true }).click();
      await notice().filter({ hasText: 'Uninstalled Content filter and deleted its data.' }).waitFor();
      await page.getByText('No plugin is installed.').waitFor();
      assert.equal((await post('spam, with no plugin at all')).status, 200);
    });

    await step('a stopped server: the page says so', async () => {
      await page.getByRole('link', { name: /^Home/ }).click();
      await page.getByRole('button', { name: 'Stop server' }).click();
      await page.getByTestId('server-state').filter({ hasText: 'Stopped' }).waitFor();
      await page.getByRole('link', { name: /^Plugins/ }).click();
      await page.getByRole('heading', { name: 'The server is stopped' }).waitFor();
      await shot(page, 'server-stopped');
      await page.getByRole('link', { name: 'Go to Home' }).click();
      await page.getByRole('button', { name: 'Start server' }).click();
      await page.getByTestId('server-state').filter({ hasText: 'Running' }).waitFor();
      await page.getByRole('link', { name: /^Plugins/ }).click();
      await page.getByText('No plugin is installed.').waitFor();
    });

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  } finally {
    await context.close();
    await stop(ui);
  }
});
