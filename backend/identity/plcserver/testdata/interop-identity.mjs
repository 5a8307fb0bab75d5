// Drives a PLC directory with the reference JS clients: @did-plc/lib (what the reference PDS uses to
// create and update DIDs) and @atproto/identity (what /work/shared/interop/smoke.mjs resolves with).
// Run it against the Hearth stand-in (any process serving plcserver.New on a port) and against the
// real @did-plc/server (/work/shared/interop/plc.cjs) to see that both answer alike:
//   cp interop-identity.mjs /tmp/hearth-interop-deps/   # the deps of /work/shared/interop (npm ci)
//   cd /tmp/hearth-interop-deps && PLC_URL=http://localhost:2582 node interop-identity.mjs
// Prints PASS lines and ends with "ALL PASS"; throws on the first failure.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { IdResolver } from '@atproto/identity'
import { Secp256k1Keypair, P256Keypair } from '@atproto/crypto'
const require = createRequire(import.meta.url)
const plc = require('@did-plc/lib')
const { cidForCbor } = require('@atproto/common')
const plcUrl = process.env.PLC_URL ?? 'http://localhost:2582'
const ok = (m) => console.log('PASS', m)

const client = new plc.Client(plcUrl)
const rotation = await Secp256k1Keypair.create()
const user = await P256Keypair.create()
const signing = await Secp256k1Keypair.create()
const did = await client.createDid({ signingKey: signing.did(), handle: 'js.test', pds: 'http://localhost:2583',
  rotationKeys: [user.did(), rotation.did()], signer: rotation })
ok(`@did-plc/lib createDid ${did}`)
await client.updateHandle(did, rotation, 'js2.test'); ok('updateHandle')
const data = await client.getDocumentData(did)
assert.equal(data.alsoKnownAs[0], 'at://js2.test'); assert.equal(data.did, did); ok('getDocumentData')
const log = await client.getAuditableLog(did); assert.equal(log.length, 2); ok('getAuditableLog')
const last = await client.getLastOp(did); assert.equal(last.alsoKnownAs[0], 'at://js2.test'); ok('getLastOp')
// the user's higher-priority P-256 key overrides the PDS's update (nullification)
const genesis = (await client.getOperationLog(did))[0]
const { sig: _s, ...unsignedGenesis } = genesis
const fork = { ...unsignedGenesis, prev: (await cidForCbor(genesis)).toString(), alsoKnownAs: ['at://js3.test'] }
const signed = await plc.signOperation(fork, user)
await client.sendOperation(did, signed); ok('nullification by the user key')
const audit = await client.getAuditableLog(did)
assert.deepEqual(audit.map((e) => e.nullified), [false, true, false]); ok('audit log nullified flags')
const bad = await plc.signOperation({ ...fork, alsoKnownAs: ['at://evil.test'] }, await Secp256k1Keypair.create())
await assert.rejects(client.sendOperation(did, bad), (e) => e.status === 400); ok('bad signature refused with 400')

const idr = new IdResolver({ plcUrl, fetch: globalThis.fetch })
const doc = await idr.did.resolve(did, true)
assert.equal(doc.id, did)
assert.equal(doc.service[0].serviceEndpoint, 'http://localhost:2583')
const key = await idr.did.resolveAtprotoKey(did, true)
assert.equal(key, signing.did()); ok(`IdResolver resolve + resolveAtprotoKey ${key}`)
const atp = await idr.did.resolveAtprotoData(did, true)
assert.equal(atp.handle, 'js3.test'); assert.equal(atp.pds, 'http://localhost:2583'); ok('resolveAtprotoData')
await client.tombstone(did, rotation)
assert.equal(await idr.did.resolve(did, true), null); ok('tombstoned DID resolves to null (404)')
console.log('document:', JSON.stringify(doc))
console.log('ALL PASS')
