// Browser end-to-end test of the Private page: the real binary (`hearth ui
// --dev`, with the built pages embedded), a second real PDS (`hearth
// serve`) sharing the window's local PLC directory for the grantee, and
// Debian's chromium through playwright-core.
//
//   npm run build && (cd .. && go build -o bin/hearth .) && node --test e2e/private.test.mjs
//
// 1. First run creates alice. bob signs up on the `hearth serve` instance
//    over XRPC (the desktop's PDS takes no sign-ups) and publishes an
//    X25519 key made here, as his own app would: his
//    dev.hearthpds.crypto.encryptionKey/self record. The test computes the
//    key's fingerprint itself (docs/private-records.md) to compare with the page.
// 2. Private page: make the key, see the recovery code once, confirm it
//    was written down; the warning comes before the first write, and
//    writing stays off until it is accepted.
// 3. Create a private record, edit it; the public repo does not have it,
//    and the owner's XRPC listing holds only ciphertext.
// 4. Share with bob: check his key (the fingerprint shown equals the one
//    computed here), give access; bob's PDS then fetches his sealed grants
//    with service auth. bob publishes a new key: the page asks to confirm
//    it before re-sealing.
// 5. Revoke bob (hard), with the statement of what revocation can and
//    cannot undo; bob gets 403; the key history shows all three epochs.
//
// Env as e2e/app.test.mjs: HEARTH_TEST_BINARY, HEARTH_SCREENSHOT_DIR,
// CHROMIUM, HEARTH_KEEP_DATA; UPDATE_SCREENSHOTS=1 also writes
// docs/img/private.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cleanup, firstRun, launchBrowser, screenshotDir, shooter, startServe, startUI, stepper, stop, viewport, xrpcJSON } from './oauth-harness.mjs';

const shotDir = screenshotDir('hearth-e2e-private-shots-');
const shot = shooter(shotDir, 'p');
const passphrase = 'correct horse battery staple';
const alicePassword = 'a long password for alice';
const bobPassword = 'a long password for bob';
const collection = 'com.example.diary.entry';
const secretText = 'the plaintext that must never leave this computer';
const KEM_X25519 = 0x0020;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  cleanup();
});

/** lp is docs/private-records.md's length-prefixed encoding. */
function lp(...fields) {
  const parts = [];
  for (const f of fields) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(f.length);
    parts.push(len, Buffer.from(f));
  }
  return Buffer.concat(parts);
}

/** base32 is RFC 4648 base32 without padding. */
function base32(buf) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** keyID is the fingerprint of an X25519 public key (docs/private-records.md). */
function keyID(raw) {
  const kem = Buffer.alloc(2);
  kem.writeUInt16BE(KEM_X25519);
  return base32(createHash('sha256').update(lp('hearth/private/key-id/v1', kem, raw)).digest().subarray(0, 15));
}

/** grouped shows a key ID as the page does: groups of four. */
const grouped = (id) => id.match(/.{1,4}/g).join(' ');

/** publishKey makes an X25519 key for bob and publishes its record on his PDS; returns its key ID. */
async function publishKey(base, session) {
  const { publicKey } = generateKeyPairSync('x25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  assert.equal(raw.length, 32);
  const id = keyID(raw);
  await xrpcJSON(
    base,
    'com.atproto.repo.putRecord',
    {
      repo: session.did,
      collection: 'dev.hearthpds.crypto.encryptionKey',
      rkey: 'self',
      record: {
        $type: 'dev.hearthpds.crypto.encryptionKey',
        kemId: KEM_X25519,
        publicKey: { $bytes: raw.toString('base64').replace(/=+$/, '') },
        keyId: id,
        createdAt: new Date().toISOString(),
      },
    },
    session.accessJwt,
  );
  return id;
}

/** getJSON GETs an XRPC query and returns its status and body. */
async function getJSON(base, nsid, params, token) {
  const res = await fetch(`${base}/xrpc/${nsid}?${new URLSearchParams(params)}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** bobFetchesGrants asks bob's PDS for a service-auth token and fetches bob's sealed grants from alice's PDS. */
async function bobFetchesGrants(bobBase, bobSession, alicePDS, aliceDID) {
  const server = await getJSON(alicePDS, 'com.atproto.server.describeServer', {});
  assert.equal(server.status, 200);
  const lxm = 'dev.hearthpds.private.getGrantKeys';
  const auth = await getJSON(bobBase, 'com.atproto.server.getServiceAuth', { aud: server.body.did, lxm }, bobSession.accessJwt);
  assert.equal(auth.status, 200, JSON.stringify(auth.body));
  return getJSON(alicePDS, lxm, { repo: aliceDID, collection }, auth.body.token);
}

test('private page: key, recovery code, record, grant, changed key, revoke, history', { timeout: 300_000 }, async (t) => {
  const ui = startUI(shotDir, 'private-hearth-ui');
  let other;
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const step = stepper(t, () => page, shot);

  let aliceDID, pds, plc, bob, bobBase, bobKey, aliceKey, rkey;
  const keyCard = () => page.getByRole('region', { name: 'Your encryption key' });
  const sharing = () => page.getByRole('region', { name: 'Who can read it' });
  const people = () => sharing().getByRole('list', { name: `People who can read ${collection}` });
  const history = () => page.getByRole('table', { name: `Key history of ${collection}` }).locator('tbody tr');

  try {
    await step('first run: alice, and the window’s PDS and PLC directory', async () => {
      await page.goto(await ui.match);
      ({ did: aliceDID, pds, plc } = await firstRun(page, { handle: 'alice', password: alicePassword, passphrase }));
      const link = page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /^Private/ });
      assert.equal((await link.textContent())?.trim(), 'Private');
    });

    await step('bob on a second PDS, with an encryption key of his own', async () => {
      other = await startServe(shotDir, 'private-hearth-serve', plc);
      bobBase = await other.match;
      bob = await xrpcJSON(bobBase, 'com.atproto.server.createAccount', { handle: 'bob.test', password: bobPassword });
      assert.match(bob.did, /^did:plc:[a-z2-7]{24}$/);
      bobKey = await publishKey(bobBase, bob);
      assert.match(bobKey, /^[A-Z2-7]{24}$/);
    });

    await step('make the key: the recovery code is shown once and confirmed', async () => {
      await page.getByRole('link', { name: /^Private/ }).click();
      await page.getByRole('heading', { name: 'Private', level: 1 }).waitFor();
      await keyCard().getByText('You have no encryption key yet.', { exact: false }).waitFor();
      await shot(page, 'private-no-key');
      await keyCard().getByRole('button', { name: 'Create my encryption key' }).click();
      const code = keyCard().getByRole('list', { name: 'Recovery code' });
      await code.waitFor();
      const groups = await code.getByRole('listitem').allTextContents();
      assert.equal(groups.length, 16);
      for (const g of groups) assert.match(g, /^[A-Z2-7]{4}$/);
      aliceKey = ((await page.getByTestId('own-key-id').textContent()) ?? '').replace(/ /g, '');
      assert.match(aliceKey, /^[A-Z2-7]{24}$/);
      // Nothing private can be written yet.
      assert.ok(await page.getByRole('button', { name: 'New private record', exact: true }).isDisabled());
      const done = keyCard().getByRole('button', { name: 'I wrote it down' });
      assert.ok(await done.isDisabled(), 'confirming needs the box ticked');
      await shot(page, 'private-recovery-code');
      await keyCard().getByRole('checkbox', { name: /I wrote the recovery code down/ }).check();
      await done.click();
      await code.waitFor({ state: 'detached' });
      await keyCard().getByText(/^written down \(confirmed /).waitFor();

      // The public key record is in alice's repo, with the same key ID.
      const rec = await getJSON(pds, 'com.atproto.repo.getRecord', { repo: aliceDID, collection: 'dev.hearthpds.crypto.encryptionKey', rkey: 'self' });
      assert.equal(rec.status, 200);
      assert.equal(rec.body.value.keyId, aliceKey);
    });

    await step('the warning comes before the first private write', async () => {
      const warning = keyCard().getByRole('region', { name: 'Before your first private record' });
      await warning.waitFor();
      assert.match((await warning.textContent()) ?? '', /If you lose both your recovery code and your passphrase backup/);
      assert.ok(await page.getByRole('button', { name: 'New private record', exact: true }).isDisabled());
      const cont = warning.getByRole('button', { name: 'Continue' });
      assert.ok(await cont.isDisabled());
      await shot(page, 'private-warning');
      await warning.getByRole('checkbox', { name: /losing both my recovery code and my passphrase backup/ }).check();
      await cont.click();
      await warning.waitFor({ state: 'detached' });
      assert.ok(await page.getByRole('button', { name: 'New private record', exact: true }).isEnabled());
    });

    await step('create a private record and edit it; only ciphertext leaves the page’s Go side', async () => {
      await page.getByRole('button', { name: 'New private record', exact: true }).click();
      const form = page.getByRole('form', { name: 'New private record' });
      await form.getByRole('textbox', { name: 'Collection' }).fill(collection);
      const editor = form.getByRole('textbox', { name: 'Record JSON' });
      const rec = JSON.parse(await editor.inputValue());
      assert.equal(rec.$type, collection);
      rec.text = secretText;
      await editor.fill(JSON.stringify(rec, null, 2));
      await form.getByRole('button', { name: 'Create private record' }).click();
      const panel = page.getByRole('complementary', { name: /^Private record / });
      await panel.waitFor();
      assert.match((await panel.getByLabel('Private record JSON').textContent()) ?? '', new RegExp(secretText));
      assert.equal(await panel.getByTestId('record-epoch').textContent(), '1');
      const table = page.getByRole('table', { name: `Private records in ${collection}` });
      await table.locator('tbody tr').first().waitFor();
      assert.equal(await table.locator('tbody tr').count(), 1);
      rkey = ((await table.locator('tbody tr td').first().textContent()) ?? '').trim();
      assert.match(rkey, /^[a-z2-7]{13}$/);
      await page.getByRole('button', { name: `${collection}, 1 record, shared with 0` }).waitFor();

      // Edit: the JSON editor, saved encrypted again.
      await panel.getByRole('button', { name: 'Edit' }).click();
      const edit = panel.getByRole('textbox', { name: 'Private record JSON' });
      await edit.fill(JSON.stringify({ ...rec, text: secretText + ', edited' }, null, 2));
      await panel.getByRole('button', { name: 'Save' }).click();
      await panel.getByRole('status').filter({ hasText: 'Saved, encrypted at key epoch 1.' }).waitFor();
      assert.match((await panel.getByLabel('Private record JSON').textContent()) ?? '', /edited/);

      // Not in the public repo; the owner's own XRPC listing is ciphertext.
      const pub = await getJSON(pds, 'com.atproto.repo.listRecords', { repo: aliceDID, collection });
      assert.equal(pub.status, 200);
      assert.deepEqual(pub.body.records, []);
      const session = await xrpcJSON(pds, 'com.atproto.server.createSession', { identifier: 'alice.test', password: alicePassword });
      const enc = await getJSON(pds, 'dev.hearthpds.private.listEncryptedRecords', { repo: aliceDID, collection }, session.accessJwt);
      assert.equal(enc.status, 200, JSON.stringify(enc.body));
      assert.equal(enc.body.records.length, 1);
      const raw = JSON.stringify(enc.body);
      assert.ok(!raw.includes(secretText) && !raw.includes(rkey), 'the XRPC listing holds no plaintext and no rkey');
    });

    await step('share with bob: his key’s fingerprint first, then access', async () => {
      await sharing().getByText('Only you can read this collection.').waitFor();
      const form = sharing().getByRole('form', { name: 'Share this collection' });
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill(bob.did);
      await form.getByRole('button', { name: 'Check their key' }).click();
      const check = form.getByRole('group', { name: /^The key of / });
      await check.waitFor();
      assert.equal(await check.getByTestId('grantee-fingerprint').textContent(), grouped(bobKey));
      const give = check.getByRole('button', { name: 'Give access' });
      assert.ok(await give.isDisabled(), 'giving access needs the fingerprint confirmed');
      await check.getByRole('checkbox', { name: 'It matches the key ID their app shows' }).check();
      await shot(page, 'private-key-check', undefined, true);
      await give.click();
      await sharing().getByRole('status').filter({ hasText: `can now read ${collection} (key ${grouped(bobKey)})` }).waitFor();
      const row = people().locator(':scope > li');
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      assert.equal(await row.getByTestId('grantee-key-id').textContent(), grouped(bobKey));
      await row.getByText(/holds epoch 1$/).waitFor();

      // bob's PDS fetches his sealed grant with service auth.
      const got = await bobFetchesGrants(bobBase, bob, pds, aliceDID);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.deepEqual(
        got.body.grants.map((g) => g.epoch),
        [1],
      );
    });

    await step('bob’s key changes: re-sealing waits for a confirmation', async () => {
      const newKey = await publishKey(bobBase, bob);
      assert.notEqual(newKey, bobKey);
      const form = sharing().getByRole('form', { name: 'Share this collection' });
      await form.getByRole('textbox', { name: 'Handle or DID' }).fill(bob.did);
      await form.getByRole('button', { name: 'Check their key' }).click();
      const check = form.getByRole('group', { name: /^The key of / });
      await check.getByText('Their new key ID').waitFor();
      assert.equal(await check.getByTestId('grantee-fingerprint').textContent(), grouped(newKey));
      await check.getByText(`You shared with the key ${grouped(bobKey)}.`).waitFor();
      assert.match((await check.textContent()) ?? '', /now publishes a different key/);
      const reseal = check.getByRole('button', { name: 'Re-seal to the new key' });
      assert.ok(await reseal.isDisabled());
      await shot(page, 'private-key-changed', undefined, true);
      await check.getByRole('checkbox', { name: 'They confirmed this new key ID' }).check();
      await reseal.click();
      await sharing().getByRole('status').filter({ hasText: `key ${grouped(newKey)}` }).waitFor();
      await people().getByTestId('grantee-key-id').filter({ hasText: grouped(newKey) }).waitFor();
      await people().getByText(/holds epochs 1–2$/).waitFor();
      bobKey = newKey;
      const got = await bobFetchesGrants(bobBase, bob, pds, aliceDID);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.deepEqual(got.body.grants.map((g) => g.epoch).sort(), [1, 2]);
    });

    await step('revoke bob (hard), after the statement of what revoking can and cannot undo', async () => {
      const row = people().locator(':scope > li').first();
      await row.getByRole('button', { name: /^Revoke / }).click();
      const confirm = row.getByRole('group', { name: /^Confirm revoking / });
      const said = (await confirm.textContent()) ?? '';
      assert.match(said, /People you revoke keep whatever they already downloaded; they cannot read anything written from now on; hard revoke also re-encrypts older records so a copied database is useless to them\./);
      await confirm.getByRole('checkbox', { name: /Hard revoke/ }).check();
      await shot(page, 'private-revoke-confirm');
      await confirm.getByRole('button', { name: 'Revoke access' }).click();
      const notice = sharing().getByRole('status').filter({ hasText: 'can no longer read this collection' });
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? '', /New key: epoch 3, only you hold it\. 1 older record was re-encrypted under it\./);
      await sharing().getByText('Only you can read this collection.').waitFor();
      const revoked = sharing().getByRole('list', { name: `People whose access to ${collection} was revoked` });
      await revoked.getByText(bob.did).waitFor();

      const got = await bobFetchesGrants(bobBase, bob, pds, aliceDID);
      assert.equal(got.status, 403, JSON.stringify(got.body));

      // The record was re-encrypted at the new epoch and still reads here.
      await page.getByRole('button', { name: `Open private record ${rkey}` }).click();
      await page.getByTestId('record-epoch').filter({ hasText: /^3$/ }).waitFor();
      // The notice of the save at epoch 1 went with it.
      assert.equal(await page.getByText('Saved, encrypted at key epoch 1.').count(), 0);
    });

    await step('the key history tells all three epochs', async () => {
      await history().nth(2).waitFor();
      const rows = [];
      for (const r of await history().all()) {
        const cells = await r.locator('td').allTextContents();
        rows.push([cells[0], cells[2]]);
      }
      assert.deepEqual(rows, [
        ['3', `Access revoked: ${bob.did}`],
        ['2', `New key: ${bob.did} changed keys, the old one was revoked`],
        ['1', 'First key of the collection'],
      ]);
      await page.getByRole('heading', { name: 'Private', level: 1 }).scrollIntoViewIfNeeded();
      await shot(page, 'private', 'private.png', true);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'private-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await step('shared with me: the statement, the form, and a collection nobody shared', async () => {
      const shared = page.getByRole('region', { name: 'Shared with me' });
      await shared.getByText('decrypted here, on this computer, with your own key', { exact: false }).waitFor();
      await shared.getByText('The collections you open are listed here, to open them again.').waitFor();
      const form = shared.getByRole('form', { name: 'Open a collection shared with you' });
      await form.getByRole('button', { name: 'Open' }).click();
      await form.getByRole('alert').filter({ hasText: 'Give their handle' }).waitFor();
      await form.getByRole('textbox', { name: 'Shared by (handle or DID)' }).fill(bob.did);
      await form.getByRole('textbox', { name: 'Shared collection' }).fill('com.example.recipe.card');
      await form.getByRole('button', { name: 'Open' }).click();
      await form.getByRole('alert').filter({ hasText: 'has not shared com.example.recipe.card with you, or no longer does (Forbidden)' }).waitFor();
      assert.equal(await shared.getByRole('table').count(), 0);
    });

    await step('no errors in the pages', async () => assert.deepEqual(pageErrors, []));
  } finally {
    await context.close().catch(() => {});
    await stop(other).catch((err) => console.error(String(err)));
    await stop(ui).catch((err) => console.error(String(err)));
  }
});
