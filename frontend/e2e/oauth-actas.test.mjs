// Browser end-to-end test of acting for another account across two PDSes:
// alice's desktop (`hearth ui --dev`) lets bob, hosted on another PDS
// (`hearth serve` on the same local PLC directory), act for her as an
// editor. An app asks alice's PDS to sign in with login_hint = alice; the
// page offers "Continue as bob"; the browser goes to bob's own PDS, bob
// signs in and allows there; back on alice's PDS the consent page says bob
// acts as alice with what his grant allows; the token has sub = alice and
// act.sub = bob. The write lands in alice's repo and the Delegation page
// shows it in the audit log and as "last used". Revoking bob in the page
// ends the token at its next request.
//
//   npm run build && (cd .. && go build -o bin/hearth .) && node --test e2e/oauth-actas.test.mjs
//
// bob's PDS names itself http://localhost:<port> (alice's is
// http://127.0.0.1:<port>) so the two servers' sign-in cookies stay apart,
// as two real servers' would.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthClient, claims, startCallback } from './oauth-client.mjs';
import { cleanup, firstRun, launchBrowser, screenshotDir, shooter, startServe, startUI, stepper, stop, viewport, xrpcJSON } from './oauth-harness.mjs';

const shotDir = screenshotDir('hearth-e2e-actas-shots-');
const shot = shooter(shotDir, 'a');
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

test('a controller on another PDS acts for the desktop account', { timeout: 300_000 }, async (t) => {
  const ui = startUI(shotDir, 'actas-hearth-ui');
  let other;
  const callback = await startCallback();
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  let current = page;
  const step = stepper(t, () => current, shot);

  let aliceDID, pds, plc, bobDID, bobPDS, client, token, rkey;
  const auditRows = () => page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');

  try {
    await step('alice on the desktop, bob on his own PDS, bob made an editor', async () => {
      await page.goto(await ui.match);
      ({ did: aliceDID, pds, plc } = await firstRun(page, { handle: 'alice', password: alicePassword, passphrase: 'correct horse battery staple' }));
      other = await startServe(shotDir, 'actas-hearth-serve', plc, 'localhost');
      bobPDS = await other.match;
      const bob = await xrpcJSON(bobPDS, 'com.atproto.server.createAccount', { handle: 'bob.test', password: bobPassword });
      bobDID = bob.did;
      await page.getByRole('link', { name: /^Delegation/ }).click();
      const form = page.getByRole('form', { name: 'Add someone' });
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill(bobDID);
      await form.getByRole('combobox', { name: 'What they may do' }).selectOption('editor');
      await form.getByRole('button', { name: 'Add' }).click();
      await page.getByRole('status').filter({ hasText: 'can now act for you as editor' }).waitFor();
    });

    await step('the app asks alice’s PDS; the page offers bob; bob signs in at his own PDS', async () => {
      // The app asks for posts, files and the account's email: the grant
      // (editor) covers the first two only.
      client = new OAuthClient(pds, callback.uri, 'atproto repo:app.bsky.feed.post blob:image/* account:email');
      const authorizeURL = await client.par({ loginHint: 'alice.test' });
      current = await context.newPage();
      current.setDefaultTimeout(30_000);
      current.on('pageerror', (err) => pageErrors.push(String(err)));
      await current.goto(authorizeURL);
      await current.getByRole('heading', { name: 'Sign in to Hearth' }).waitFor();
      const offer = current.getByRole('group', { name: /Or sign in as a controller of alice\.test/ });
      await offer.waitFor();
      await shot(current, 'actas-offer');
      await offer.getByRole('button', { name: /Continue as/ }).click();

      // bob's own PDS: its sign-in page, for Hearth as a client.
      await current.waitForURL((u) => u.origin === bobPDS);
      await current.getByRole('heading', { name: 'Sign in to Hearth' }).waitFor();
      await current.getByLabel('Handle or email', { exact: true }).fill('bob.test');
      await current.getByLabel('Password', { exact: true }).fill(bobPassword);
      await shot(current, 'actas-remote-login');
      await current.getByRole('button', { name: 'Sign in' }).click();
      await current.getByRole('heading', { name: 'Allow access to bob.test?' }).waitFor();
      await shot(current, 'actas-remote-consent');
      await current.getByRole('button', { name: 'Allow' }).click();
    });

    await step('back on alice’s PDS: bob acts as alice within his grant', async () => {
      await current.waitForURL((u) => u.origin === pds);
      await current.getByRole('heading', { name: 'Act as alice.test?' }).waitFor();
      const asks = current.getByRole('group', { name: 'This app asks to' });
      await asks.getByRole('checkbox', { name: /repo:app\.bsky\.feed\.post/ }).waitFor();
      await asks.getByRole('checkbox', { name: /blob:image\/\*/ }).waitFor();
      assert.equal(await asks.getByRole('checkbox', { name: /account:email/ }).count(), 0, 'beyond the grant: not offered');
      await current.getByRole('group', { name: /beyond your grant/ }).getByText('account:email').waitFor();
      await shot(current, 'actas-consent');
      await current.getByRole('button', { name: 'Allow' }).click();

      const resp = await callback.response;
      assert.equal(resp.iss, pds);
      assert.equal(resp.state, client.state);
      const tok = await client.token(resp.code);
      assert.equal(tok.status, 200, JSON.stringify(tok.body));
      assert.equal(tok.body.sub, aliceDID);
      assert.deepEqual(tok.body.scope.split(' ').sort(), ['atproto', 'blob:image/*', 'repo:app.bsky.feed.post']);
      const c = claims(tok.body.access_token);
      assert.equal(c.sub, aliceDID);
      assert.deepEqual(c.act, { sub: bobDID });
      token = tok.body.access_token;

      const write = await client.xrpc(token, 'com.atproto.repo.createRecord', {
        body: JSON.stringify({
          repo: aliceDID,
          collection: 'app.bsky.feed.post',
          record: { $type: 'app.bsky.feed.post', text: 'Written by bob for alice', createdAt: new Date().toISOString() },
        }),
      });
      const written = await write.json();
      assert.equal(write.status, 200, JSON.stringify(written));
      assert.match(written.uri, new RegExp(`^at://${aliceDID}/app\\.bsky\\.feed\\.post/`));
      rkey = written.uri.split('/').pop();
      // A controller never manages delegation, whatever its scope.
      const manage = await client.xrpc(token, 'dev.hearthpds.delegation.listControllers', { method: 'GET' });
      assert.equal(manage.status, 403);
    });

    await step('the Delegation page shows the sign-in and the write, and bob as last used', async () => {
      current = page;
      // The page re-reads the lists and the log every 10 s: no reload.
      const item = page.getByRole('list', { name: 'People who can act for me' }).locator(':scope > li').first();
      await item.getByText(/last used (just now|\d+ s ago)/).waitFor({ timeout: 25_000 });
      await auditRows().nth(2).waitFor({ timeout: 25_000 });
      const rows = [];
      for (const r of await auditRows().all()) rows.push(await r.locator('td').allTextContents());
      const write = rows.find((r) => r[1] === 'Wrote to your repository');
      assert.ok(write, `a write row in ${JSON.stringify(rows)}`);
      assert.equal(write[3], `created app.bsky.feed.post/${rkey} through a development app on this computer`);
      assert.equal(write[4], bobDID);
      const signin = rows.find((r) => r[1] === 'Signed in as you');
      assert.ok(signin, `a sign-in row in ${JSON.stringify(rows)}`);
      assert.equal(signin[3], 'through a development app on this computer');
      await page.getByRole('combobox', { name: 'Kind' }).selectOption('write');
      await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Audit log"] tbody tr').length === 1);
      await page.getByRole('combobox', { name: 'Kind' }).selectOption('');
      await shot(page, 'actas-audit', undefined, true);
    });

    await step('revoking bob in the page ends his token at its next request', async () => {
      const item = page.getByRole('list', { name: 'People who can act for me' }).locator(':scope > li').first();
      await item.getByRole('button', { name: /^Revoke / }).click();
      await item.getByRole('group', { name: /^Confirm revoking / }).getByRole('button', { name: 'Revoke access' }).click();
      await page.getByText('Nobody can act for you.').waitFor();
      const after = await client.xrpc(token, 'com.atproto.repo.createRecord', {
        body: JSON.stringify({
          repo: aliceDID,
          collection: 'app.bsky.feed.post',
          record: { $type: 'app.bsky.feed.post', text: 'Too late', createdAt: new Date().toISOString() },
        }),
      });
      assert.equal(after.status, 401, await after.text());
    });

    await step('no errors in the pages', async () => assert.deepEqual(pageErrors, []));
  } finally {
    await callback.close();
    await context.close().catch(() => {});
    await stop(other).catch((err) => console.error(String(err)));
    await stop(ui).catch((err) => console.error(String(err)));
  }
});
