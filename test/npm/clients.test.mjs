// End-to-end test of Hearth with the reference npm clients: @atproto/api
// for accounts, sessions and records, @atproto/repo to verify the exported
// repo, @atproto/identity to resolve the DID through a real PLC directory.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { readCarWithRoot, verifyRepoCar } from '@atproto/repo'
import { IdResolver } from '@atproto/identity'
import { startHearth } from './harness.mjs'

let pds
before(async () => { pds = await startHearth() })
after(async () => { await pds?.stop() })

const post = (text) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() })

async function signUp (name) {
  const agent = new AtpAgent({ service: pds.url })
  const handle = `${name}.test`
  const password = `pw-${name}-long-enough`
  await agent.createAccount({ handle, email: `${name}@example.com`, password })
  return { agent, handle, password, did: agent.session.did }
}

test('describeServer names the handle domain', async () => {
  const agent = new AtpAgent({ service: pds.url })
  const res = await agent.com.atproto.server.describeServer()
  assert.deepEqual(res.data.availableUserDomains, ['.test'])
  assert.equal(res.data.inviteCodeRequired, false)
})

test('account, session refresh and app passwords', async () => {
  const { agent, handle, password, did } = await signUp('ann')
  assert.match(did, /^did:plc:/)
  const fresh = new AtpAgent({ service: pds.url })
  await fresh.login({ identifier: handle, password })
  assert.equal(fresh.session.did, did)
  const s = await fresh.com.atproto.server.getSession()
  assert.equal(s.data.handle, handle)
  assert.equal(s.data.email, 'ann@example.com')
  const before = fresh.session.refreshJwt
  await fresh.sessionManager.refreshSession()
  assert.notEqual(fresh.session.refreshJwt, before)
  await assert.rejects(fresh.login({ identifier: handle, password: 'wrong' }), (e) => e.error === 'AuthenticationRequired')

  const ap = await agent.com.atproto.server.createAppPassword({ name: 'test app' })
  assert.match(ap.data.password, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/)
  const viaApp = new AtpAgent({ service: pds.url })
  await viaApp.login({ identifier: handle, password: ap.data.password })
  const list = await agent.com.atproto.server.listAppPasswords()
  assert.deepEqual(list.data.passwords.map((p) => p.name), ['test app'])
  await agent.com.atproto.server.revokeAppPassword({ name: 'test app' })
  await assert.rejects(new AtpAgent({ service: pds.url }).login({ identifier: handle, password: ap.data.password }))
})

test('records: create, get, list, put, applyWrites, delete', async () => {
  const { agent, did } = await signUp('bea')
  const repo = agent.com.atproto.repo
  const cr = await repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: post('one') })
  assert.equal(cr.data.validationStatus, 'valid')
  const rkey = cr.data.uri.split('/').pop()
  const got = await repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey })
  assert.equal(got.data.cid, cr.data.cid)
  assert.equal(got.data.value.text, 'one')
  await repo.putRecord({ repo: did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { $type: 'app.bsky.actor.profile', displayName: 'Bea' } })
  const aw = await repo.applyWrites({
    repo: did,
    swapCommit: (await agent.com.atproto.sync.getLatestCommit({ did })).data.cid,
    writes: [
      { $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', rkey: 'two', value: post('two') },
      { $type: 'com.atproto.repo.applyWrites#delete', collection: 'app.bsky.feed.post', rkey },
    ],
  })
  assert.equal(aw.data.results.length, 2)
  await assert.rejects(repo.applyWrites({ repo: did, swapCommit: cr.data.commit.cid, writes: [{ $type: 'com.atproto.repo.applyWrites#delete', collection: 'app.bsky.feed.post', rkey: 'two' }] }),
    (e) => e.error === 'InvalidSwap')
  await assert.rejects(repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text: 5 } }),
    (e) => e.error === 'InvalidRequest')
  const list = await repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' })
  assert.deepEqual(list.data.records.map((r) => r.value.text), ['two'])
  await assert.rejects(repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey }), (e) => e.error === 'RecordNotFound')
  const desc = await repo.describeRepo({ repo: did })
  assert.deepEqual(desc.data.collections.sort(), ['app.bsky.actor.profile', 'app.bsky.feed.post'])
  await repo.deleteRecord({ repo: did, collection: 'app.bsky.feed.post', rkey: 'two' })
})

test('getRepo verifies with @atproto/repo against the key in the DID document', async () => {
  const { agent, did } = await signUp('cid')
  for (let i = 0; i < 20; i++) {
    await agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: post(`n${i}`) })
  }
  const res = await agent.com.atproto.sync.getRepo({ did })
  const car = new Uint8Array(res.data)
  const { root } = await readCarWithRoot(car)
  const idr = new IdResolver({ plcUrl: pds.plcUrl, fetch: globalThis.fetch })
  const doc = await idr.did.resolve(did)
  assert.equal(doc.service[0].serviceEndpoint, pds.url)
  const key = await idr.did.resolveAtprotoKey(did)
  const verified = await verifyRepoCar(car, did, key)
  assert.equal(verified.creates.length, 20)
  const latest = await agent.com.atproto.sync.getLatestCommit({ did })
  assert.equal(latest.data.cid, root.toString())
  const handle = await agent.com.atproto.identity.resolveHandle({ handle: 'cid.test' })
  assert.equal(handle.data.did, did)
})
