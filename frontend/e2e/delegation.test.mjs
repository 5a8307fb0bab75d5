// Browser end-to-end test of delegation and OAuth consent: the real
// binary (`hearth ui --dev`, with the built pages embedded), a second real
// PDS (`hearth serve`) sharing the window's local PLC directory for the
// controller's account, and Debian's chromium through playwright-core.
//
//   npm run build && (cd .. && go build -o bin/hearth .) && node --test e2e/delegation.test.mjs
//
// 1. First run creates alice. bob is created on the `hearth serve`
//    instance over XRPC (the desktop's PDS takes no sign-ups), so his
//    did:plc is in the same directory and resolves from the window.
// 2. Delegation page: add bob as an editor, see him listed with the
//    preset in plain words and the audit row; change him to viewer; revoke
//    him with the confirmation; see the audit rows and filter them.
// 3. OAuth: a client (e2e/oauth-client.mjs: PAR, PKCE, DPoP) sends the
//    browser to the desktop PDS's /oauth/authorize; sign in, untick one
//    scope on the consent page, allow; the redirect carries code, state and
//    iss; the token has the reduced scope and writes a post.
//
// Env as e2e/app.test.mjs: HEARTH_TEST_BINARY, HEARTH_SCREENSHOT_DIR,
// CHROMIUM, HEARTH_KEEP_DATA; UPDATE_SCREENSHOTS=1 also writes
// docs/img/delegation.png and docs/img/oauth-consent.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthClient, startCallback } from './oauth-client.mjs';
import { cleanup, firstRun, launchBrowser, screenshotDir, shooter, startServe, startUI, stepper, stop, viewport, xrpcJSON } from './oauth-harness.mjs';

const shotDir = screenshotDir('hearth-e2e-delegation-shots-');
const shot = shooter(shotDir, 'd');
const passphrase = 'correct horse battery staple';
const alicePassword = 'a long password for alice';
const bobPassword = 'a long password for bob';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  cleanup();
});

test('delegation page and OAuth consent in the browser', { timeout: 300_000 }, async (t) => {
  const ui = startUI(shotDir, 'delegation-hearth-ui');
  let other;
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const step = stepper(t, () => page, shot);

  let aliceDID, pds, plc, bobDID, bobHandle;
  const list = () => page.getByRole('list', { name: 'People who can act for me' });
  const auditRows = () => page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');

  try {
    await step('first run: alice, and the window’s PDS and PLC directory', async () => {
      await page.goto(await ui.match);
      ({ did: aliceDID, pds, plc } = await firstRun(page, { handle: 'alice', password: alicePassword, passphrase }));
      // The sidebar's Delegation link no longer says "soon".
      const link = page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /^Delegation/ });
      assert.equal((await link.textContent())?.trim(), 'Delegation');
    });

    await step('bob on a second PDS sharing the PLC directory', async () => {
      other = await startServe(shotDir, 'delegation-hearth-serve', plc);
      const base = await other.match;
      const bob = await xrpcJSON(base, 'com.atproto.server.createAccount', { handle: 'bob.test', password: bobPassword });
      bobDID = bob.did;
      bobHandle = bob.handle;
      assert.match(bobDID, /^did:plc:[a-z2-7]{24}$/);
      assert.equal(bobHandle, 'bob.test');
      // The window's directory has bob's DID document.
      const doc = await fetch(`${plc}/${bobDID}`);
      assert.equal(doc.status, 200);
    });

    await step('Delegation page: nobody yet; a handle that does not resolve is refused in words', async () => {
      await page.getByRole('link', { name: /^Delegation/ }).click();
      await page.getByRole('heading', { name: 'Delegation', level: 1 }).waitFor();
      await page.getByText('Nobody can act for you.').waitFor();
      await page.getByText('No account hosted here lets you act for it.').waitFor();
      await page.getByText(/Nothing yet: changes to who can act for you/).waitFor();
      // Each preset shows what it allows, in plain words.
      const form = page.getByRole('form', { name: 'Add someone' });
      const preset = form.getByRole('combobox', { name: 'What they may do' });
      assert.equal(await preset.inputValue(), 'editor');
      const allows = form.getByRole('list', { name: 'Editor allows' });
      assert.ok((await allows.getByRole('listitem').count()) >= 2);
      await preset.selectOption('owner');
      await form.getByRole('list', { name: 'Owner allows' }).waitFor();
      const ownerLines = await form.getByRole('list', { name: 'Owner allows' }).getByRole('listitem').allTextContents();
      assert.ok(ownerLines.length > (await allows.count()), 'owner allows more than editor');
      await preset.selectOption('custom');
      await form.getByRole('textbox', { name: 'Custom scope' }).waitFor();
      await preset.selectOption('editor');
      // bob's handle cannot be verified from here (bob.test has no DNS or
      // well-known): the error says so and names ControllerNotFound.
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill('bob.test');
      await form.getByRole('button', { name: 'Add' }).click();
      const err = form.getByRole('alert');
      await err.filter({ hasText: '(ControllerNotFound)' }).waitFor();
      assert.match((await err.textContent()) ?? '', /^No account was found/);
      // A malformed DID is caught before asking.
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill('did:plc');
      await form.getByRole('button', { name: 'Add' }).click();
      await err.filter({ hasText: 'That DID is not written right' }).waitFor();
      await shot(page, 'delegation-empty');
    });

    await step('add bob as an editor: listed with the preset in plain words, and audited', async () => {
      const form = page.getByRole('form', { name: 'Add someone' });
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill(bobDID);
      await form.getByRole('button', { name: 'Add' }).click();
      await page.getByRole('status').filter({ hasText: 'can now act for you as editor' }).waitFor();
      const row = list().getByRole('listitem').filter({ hasText: bobDID }).first();
      await row.waitFor();
      const item = list().locator(':scope > li');
      assert.equal(await item.count(), 1);
      assert.equal(await item.getByTestId('controller-preset').textContent(), 'Editor');
      await item.getByText('Editor: write records and upload files').waitFor();
      await item.getByText(/last used never/).waitFor();
      const lines = await item.getByRole('list', { name: /^What .* may do$/ }).getByRole('listitem').allTextContents();
      assert.ok(lines.length >= 2, `plain-words lines: ${lines}`);
      assert.ok(!lines.some((l) => /repo:|blob:|account:/.test(l)), `lines in words, not scope syntax: ${lines}`);
      // The audit log has the grant.
      await auditRows().first().waitFor();
      assert.equal(await auditRows().count(), 1);
      const cells = await auditRows().first().locator('td').allTextContents();
      assert.equal(cells[1], 'Access given');
      assert.equal(cells[2], bobDID);
      assert.equal(cells[3], 'as editor');
      assert.equal(cells[4], 'You');
      // Adding him again is refused.
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill(bobDID);
      await form.getByRole('button', { name: 'Add' }).click();
      await form.getByRole('alert').filter({ hasText: '(GrantExists)' }).waitFor();
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill('');
    });

    await step('change bob to viewer, then a custom scope is checked', async () => {
      const item = list().locator(':scope > li').first();
      await item.getByRole('button', { name: /^Change what .* may do$/ }).click();
      const change = item.getByRole('form', { name: /^Change what .* may do$/ });
      const sel = change.getByRole('combobox', { name: 'What they may do' });
      assert.equal(await sel.inputValue(), 'editor');
      // A custom scope naming delegation management can never be granted.
      await sel.selectOption('custom');
      const scope = change.getByRole('textbox', { name: 'Custom scope' });
      assert.match(await scope.inputValue(), /^atproto .*repo:\*/);
      await scope.fill('atproto rpc:dev.hearthpds.delegation.addController?aud=*');
      await change.getByRole('button', { name: 'Save' }).click();
      await change.getByRole('alert').filter({ hasText: '(NotDelegable)' }).waitFor();
      await shot(page, 'delegation-not-delegable');
      await sel.selectOption('viewer');
      await change.getByRole('list', { name: 'Viewer allows' }).waitFor();
      await change.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'can now act for you as viewer' }).waitFor();
      await item.getByTestId('controller-preset').filter({ hasText: 'Viewer' }).waitFor();
      await item.getByText(/changed /).waitFor();
      await auditRows().nth(1).waitFor();
      const first = await auditRows().first().locator('td').allTextContents();
      assert.deepEqual(first.slice(1), ['Access changed', bobDID, 'now viewer', 'You']);
      await page.getByRole('heading', { name: 'Delegation', level: 1 }).scrollIntoViewIfNeeded();
      await shot(page, 'delegation', 'delegation.png', true);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'delegation-dark', undefined, true);
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await step('revoke bob, with the confirmation; the audit log shows all three', async () => {
      const item = list().locator(':scope > li').first();
      await item.getByRole('button', { name: /^Revoke / }).click();
      const confirm = item.getByRole('group', { name: /^Confirm revoking / });
      await confirm.getByText(/can no longer act for you/).waitFor();
      await shot(page, 'delegation-revoke-confirm');
      // Keep first: nothing changes.
      await confirm.getByRole('button', { name: 'Keep' }).click();
      await confirm.waitFor({ state: 'detached' });
      assert.equal(await list().locator(':scope > li').count(), 1);
      await item.getByRole('button', { name: /^Revoke / }).click();
      await item.getByRole('group', { name: /^Confirm revoking / }).getByRole('button', { name: 'Revoke access' }).click();
      await page.getByRole('status').filter({ hasText: 'can no longer act for you' }).waitFor();
      await page.getByText('Nobody can act for you.').waitFor();
      await auditRows().nth(2).waitFor();
      const kinds = [];
      for (const r of await auditRows().all()) kinds.push((await r.locator('td').nth(1).textContent()) ?? '');
      assert.deepEqual(kinds, ['Access revoked', 'Access changed', 'Access given']);
      assert.equal(await auditRows().first().locator('td').nth(3).textContent(), 'was viewer');

      // Filters: by kind, and by person (bob stays a choice after revoking).
      await page.getByRole('combobox', { name: 'Kind' }).selectOption('grant.add');
      await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Audit log"] tbody tr').length === 1);
      assert.equal(await auditRows().first().locator('td').nth(1).textContent(), 'Access given');
      await page.getByRole('combobox', { name: 'Kind' }).selectOption('write');
      await page.getByText('Nothing matches these filters.').waitFor();
      await page.getByRole('combobox', { name: 'Kind' }).selectOption('');
      await page.getByRole('combobox', { name: 'Person' }).selectOption(bobDID);
      await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Audit log"] tbody tr').length === 3);
      await shot(page, 'delegation-revoked', undefined, true);

      // The XRPC view agrees: nothing active, three entries.
      const session = await xrpcJSON(pds, 'com.atproto.server.createSession', { identifier: 'alice.test', password: alicePassword });
      const res = await fetch(`${pds}/xrpc/dev.hearthpds.delegation.getAuditLog?controller=${encodeURIComponent(bobDID)}`, {
        headers: { Authorization: `Bearer ${session.accessJwt}` },
      });
      assert.equal(res.status, 200);
      const log = await res.json();
      assert.deepEqual(
        log.entries.map((e) => e.kind),
        ['grant.revoke', 'grant.update', 'grant.add'],
      );
    });

    await step('OAuth: sign in, untick a scope, allow; the token has the reduced scope', async () => {
      const callback = await startCallback();
      try {
        const requested = 'atproto repo:app.bsky.feed.post blob:*/*';
        const client = new OAuthClient(pds, callback.uri, requested);
        const authorizeURL = await client.par();
        const oauthPage = await context.newPage();
        oauthPage.setDefaultTimeout(30_000);
        oauthPage.on('pageerror', (err) => pageErrors.push(String(err)));
        await oauthPage.goto(authorizeURL);
        await oauthPage.getByRole('heading', { name: 'Sign in to Hearth' }).waitFor();
        await oauthPage.getByText('Development client (localhost)').or(oauthPage.getByText(client.clientID)).first().waitFor();
        // A wrong password first: the page says so and stays.
        await oauthPage.getByLabel('Handle or email', { exact: true }).fill('alice.test');
        await oauthPage.getByLabel('Password', { exact: true }).fill('not the password');
        await oauthPage.getByRole('button', { name: 'Sign in' }).click();
        await oauthPage.getByRole('alert').waitFor();
        await shot(oauthPage, 'oauth-login-error');
        await oauthPage.getByLabel('Handle or email', { exact: true }).fill('alice.test');
        await oauthPage.getByLabel('Password', { exact: true }).fill(alicePassword);
        await shot(oauthPage, 'oauth-login');
        await oauthPage.getByRole('button', { name: 'Sign in' }).click();

        await oauthPage.getByRole('heading', { name: 'Allow access to alice.test?' }).waitFor();
        const boxes = oauthPage.getByRole('group', { name: 'This app asks to' }).getByRole('checkbox');
        assert.equal(await boxes.count(), 3);
        const atproto = oauthPage.getByRole('checkbox', { name: /Know which account you are/ });
        assert.ok(await atproto.isDisabled(), 'atproto is always included');
        const blob = oauthPage.getByRole('checkbox', { name: /blob:\*\/\*/ });
        const repo = oauthPage.getByRole('checkbox', { name: /repo:app\.bsky\.feed\.post/ });
        assert.ok(await blob.isChecked());
        assert.ok(await repo.isChecked());
        await blob.uncheck();
        assert.equal(await blob.isChecked(), false);
        await shot(oauthPage, 'oauth-consent', 'oauth-consent.png');
        await oauthPage.getByRole('button', { name: 'Allow' }).click();

        const resp = await callback.response;
        await oauthPage.getByRole('heading', { name: 'Back in the app' }).waitFor();
        assert.equal(resp.state, client.state);
        assert.equal(resp.iss, pds);
        assert.match(resp.code ?? '', /.{16,}/);
        assert.equal(resp.error, undefined);

        const tok = await client.token(resp.code);
        assert.equal(tok.status, 200, JSON.stringify(tok.body));
        assert.equal(tok.body.token_type, 'DPoP');
        assert.equal(tok.body.sub, aliceDID);
        assert.deepEqual(tok.body.scope.split(' ').sort(), ['atproto', 'repo:app.bsky.feed.post']);
        // The DPoP-bound token writes a post in alice's repo.
        const write = await client.xrpc(tok.body.access_token, 'com.atproto.repo.createRecord', {
          body: JSON.stringify({
            repo: aliceDID,
            collection: 'app.bsky.feed.post',
            record: { $type: 'app.bsky.feed.post', text: 'Written through OAuth', createdAt: new Date().toISOString() },
          }),
        });
        const written = await write.json();
        assert.equal(write.status, 200, JSON.stringify(written));
        assert.match(written.uri, new RegExp(`^at://${aliceDID}/app\\.bsky\\.feed\\.post/`));

        // The unticked permission was not granted: uploading is refused.
        const upload = await client.xrpc(tok.body.access_token, 'com.atproto.repo.uploadBlob', {
          body: Buffer.from('not really an image'),
          contentType: 'image/png',
        });
        const refused = await upload.json();
        assert.equal(upload.status, 403, JSON.stringify(refused));
        assert.equal(refused.error, 'InsufficientScope');

        // The code is single-use: presenting it again is refused and ends
        // the sign-in it started (RFC 6749 section 4.1.2).
        const again = await client.token(resp.code);
        assert.equal(again.status, 400);
        assert.equal(again.body.error, 'invalid_grant');
        const after = await client.xrpc(tok.body.access_token, 'com.atproto.server.getSession', { method: 'GET' });
        assert.equal(after.status, 401);
        await oauthPage.close();
      } finally {
        await callback.close();
      }
    });

    await step('no errors in the pages', async () => assert.deepEqual(pageErrors, []));
  } finally {
    await context.close().catch(() => {});
    await stop(other).catch((err) => console.error(String(err)));
    await stop(ui).catch((err) => console.error(String(err)));
  }
});
