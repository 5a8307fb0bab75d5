// Browser end-to-end test of acting for another account from the window:
// alice's desktop (`hearth ui --dev`) acts for dave, hosted on another PDS
// (`hearth serve` on the same local PLC directory), who made alice an
// editor with his own delegation methods. In the Delegation page alice
// acts as dave (the Go side exchanges her service-auth token at dave's
// PDS; the token never reaches the page), sees what her access allows,
// creates a post from the window and sees it listed, deletes it; when
// dave narrows her to viewer a write is refused in words; when he revokes
// her the panel closes with the reason.
//
//   npm run build && (cd .. && go build -o bin/hearth .) && node --test e2e/actas-app.test.mjs
//
// Env as e2e/app.test.mjs: HEARTH_TEST_BINARY, HEARTH_SCREENSHOT_DIR,
// CHROMIUM, HEARTH_KEEP_DATA; UPDATE_SCREENSHOTS=1 also writes
// docs/img/actas-app.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, firstRun, launchBrowser, screenshotDir, shooter, startServe, startUI, stepper, stop, viewport, xrpcJSON } from './oauth-harness.mjs';

const shotDir = screenshotDir('hearth-e2e-actas-app-shots-');
const shot = shooter(shotDir, 'w');
const alicePassword = 'a long password for alice';
const davePassword = 'a long password for dave';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  cleanup();
});

/** listRecords reads dave's posts from his PDS (public). */
async function posts(base, did) {
  const res = await fetch(`${base}/xrpc/com.atproto.repo.listRecords?repo=${encodeURIComponent(did)}&collection=app.bsky.feed.post`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).records;
}

test('the owner acts for an account on another PDS from the window', { timeout: 300_000 }, async (t) => {
  const ui = startUI(shotDir, 'actas-app-hearth-ui');
  let other;
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const step = stepper(t, () => page, shot);

  let aliceDID, plc, davePDS, daveDID, daveToken, rkey;
  const panel = () => page.getByRole('region', { name: 'Acting as @dave.test' });
  const records = () => panel().getByRole('list', { name: 'Records of dave.test in app.bsky.feed.post' });
  const newRecord = () => panel().getByRole('form', { name: 'New record' });
  const post = (text) => JSON.stringify({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() }, null, 2);

  try {
    await step('alice on the desktop; dave on his own PDS makes her an editor', async () => {
      await page.goto(await ui.match);
      ({ did: aliceDID, plc } = await firstRun(page, { handle: 'alice', password: alicePassword, passphrase: 'correct horse battery staple' }));
      other = await startServe(shotDir, 'actas-app-hearth-serve', plc);
      davePDS = await other.match;
      const dave = await xrpcJSON(davePDS, 'com.atproto.server.createAccount', { handle: 'dave.test', password: davePassword });
      daveDID = dave.did;
      daveToken = dave.accessJwt;
      const g = await xrpcJSON(davePDS, 'dev.hearthpds.delegation.addController', { controller: aliceDID, preset: 'editor' }, daveToken);
      assert.equal(g.preset, 'editor');
    });

    await step('Delegation page: a bad entry is caught, then alice acts as dave', async () => {
      await page.getByRole('link', { name: /^Delegation/ }).click();
      await page.getByRole('heading', { name: 'Delegation', level: 1 }).waitFor();
      const form = page.getByRole('form', { name: 'Act for an account on another server' });
      await form.getByRole('textbox', { name: 'Account on another server' }).fill('did:plc');
      await form.getByRole('button', { name: 'Act as' }).click();
      await page.getByRole('alert').filter({ hasText: 'That DID is not written right' }).waitFor();
      await form.getByRole('textbox', { name: 'Account on another server' }).fill(daveDID);
      await form.getByRole('button', { name: 'Act as' }).click();
      await panel().waitFor();
      await panel().getByText(davePDS).waitFor();
      const allows = await panel().getByRole('list', { name: 'What you may do as dave.test' }).getByRole('listitem').allTextContents();
      assert.ok(allows.length >= 2, `plain-words lines: ${allows}`);
      assert.ok(!allows.some((l) => /repo:|blob:|account:/.test(l)), `lines in words, not scope syntax: ${allows}`);
      assert.match((await panel().getByTestId('actas-expiry').textContent()) ?? '', /valid until .*\(in [45] min\); renewed while your access lasts/);
      await panel().getByText('This repository has no records yet.').waitFor();
      // The page never holds the token: nothing token-like in its text.
      const html = await page.content();
      assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(html), 'no JWT in the page');
    });

    await step('create a post in dave’s repo from the window and see it listed', async () => {
      const form = newRecord();
      assert.equal(await form.getByRole('textbox', { name: 'Collection' }).inputValue(), 'app.bsky.feed.post');
      assert.match(await form.getByRole('textbox', { name: 'Record (JSON)' }).inputValue(), /"\$type": "app.bsky.feed.post"/);
      await form.getByRole('textbox', { name: 'Record (JSON)' }).fill(post('Hello from alice, acting for dave'));
      await form.getByRole('button', { name: 'Create' }).click();
      const notice = form.getByRole('status').filter({ hasText: /^Created / });
      await notice.waitFor();
      rkey = /^Created (\S+) in app\.bsky\.feed\.post\.$/.exec((await notice.textContent()) ?? '')?.[1];
      assert.ok(rkey, 'the new record key');
      await records().getByRole('listitem', { name: rkey }).getByText('Hello from alice, acting for dave').waitFor();
      // On dave's PDS: the record, and his audit log naming alice.
      const recs = await posts(davePDS, daveDID);
      assert.equal(recs.length, 1);
      assert.equal(recs[0].uri, `at://${daveDID}/app.bsky.feed.post/${rkey}`);
      const res = await fetch(`${davePDS}/xrpc/dev.hearthpds.delegation.getAuditLog?kinds=write`, { headers: { Authorization: `Bearer ${daveToken}` } });
      assert.equal(res.status, 200);
      const { entries } = await res.json();
      assert.equal(entries.length, 1);
      assert.equal(entries[0].controller, aliceDID);
      assert.equal(entries[0].actor, aliceDID);
      await shot(page, 'actas-post', 'actas-app.png', true);
    });

    await step('a record the lexicon refuses is explained in words', async () => {
      const form = newRecord();
      await form.getByRole('textbox', { name: 'Record (JSON)' }).fill('{"$type": "app.bsky.feed.post", "text": 5, "createdAt": "2026-01-01T00:00:00Z"}');
      await form.getByRole('button', { name: 'Create' }).click();
      await form.getByText(/expected a string/).waitFor();
      await form.getByRole('textbox', { name: 'Record (JSON)' }).fill('{"text": ');
      await form.getByRole('button', { name: 'Create' }).click();
      await form.getByRole('alert').filter({ hasText: 'This is not valid JSON' }).waitFor();
    });

    await step('delete the post from the window', async () => {
      const row = records().getByRole('listitem', { name: rkey });
      await row.getByRole('button', { name: `Delete ${rkey}` }).click();
      await row.getByRole('group', { name: `Confirm deleting ${rkey}` }).getByRole('button', { name: 'Delete it' }).click();
      // Its only record gone, the collection is gone too.
      await panel().getByText('This repository has no records yet.').waitFor();
      assert.equal((await posts(davePDS, daveDID)).length, 0);
    });

    await step('stop acting, then act again', async () => {
      await panel().getByRole('button', { name: 'Stop acting' }).click();
      await panel().waitFor({ state: 'detached' });
      const form = page.getByRole('form', { name: 'Act for an account on another server' });
      await form.getByRole('textbox', { name: 'Account on another server' }).fill(daveDID);
      await form.getByRole('button', { name: 'Act as' }).click();
      await panel().waitFor();
    });

    await step('dave narrows alice to viewer: a write is refused in words', async () => {
      await xrpcJSON(davePDS, 'dev.hearthpds.delegation.updateController', { controller: aliceDID, preset: 'viewer' }, daveToken);
      const form = newRecord();
      await form.getByRole('textbox', { name: 'Record (JSON)' }).fill(post('Not allowed'));
      await form.getByRole('button', { name: 'Create' }).click();
      await form.getByRole('alert').filter({ hasText: 'Your access does not allow that' }).waitFor();
      assert.match((await form.getByRole('alert').textContent()) ?? '', /\(InsufficientScope\)/);
      assert.equal((await posts(davePDS, daveDID)).length, 0);
    });

    await step('dave revokes alice: the next write closes the panel with the reason', async () => {
      await xrpcJSON(davePDS, 'dev.hearthpds.delegation.removeController', { controller: aliceDID }, daveToken);
      const form = newRecord();
      await form.getByRole('textbox', { name: 'Record (JSON)' }).fill(post('Too late'));
      await form.getByRole('button', { name: 'Create' }).click();
      await panel().waitFor({ state: 'detached' });
      const err = page.getByRole('alert').filter({ hasText: '(GrantNotFound)' });
      await err.waitFor();
      assert.match((await err.textContent()) ?? '', /^This account does not let you act for it/);
      await shot(page, 'actas-revoked');
    });

    await step('no errors in the pages', async () => assert.deepEqual(pageErrors, []));
  } finally {
    await context.close().catch(() => {});
    await stop(other).catch((err) => console.error(String(err)));
    await stop(ui).catch((err) => console.error(String(err)));
  }
});
