// Package remote is the network side of a private-records client: the
// owner's client or a grantee's, talking XRPC to a PDS
// (dev.hearthpds.private.*, dev.hearthpds.crypto.*) and decrypting
// locally with package crypt. The PDS only ever sees ciphertext, sealed
// grants and rkey MACs.
//
//   - [Client] calls one PDS: its endpoint, the bearer token of each call
//     ([Tokens]: a session token for the owner, a fresh single-use
//     service-auth JWT for a grantee, whose audience is the PDS's service
//     DID, read once from describeServer).
//   - [Network] finds an account's PDS from its DID document and mints
//     service-auth JWTs for grantees ([Network.Mint], e.g. the grantee's
//     own PDS's getServiceAuth, or in-process on that PDS).
//   - [Source] is where envelopes, grants and blobs come from: a PDS over
//     XRPC ([NewXRPCSource]) or, on the owner's own server, the privacy
//     service in-process. [Open] fetches a reader's sealed grants from a
//     Source and opens them with its identity; [Collection] then reads and
//     decrypts records, and [OpenBlob] streams a decrypted blob.
//   - [Reader] is a grantee's client: given its identity and the owner's
//     DID, it resolves the owner's PDS and reads what it was granted.
//   - [Owner] is the owner's client over XRPC: it seals records, grants and
//     rotations itself (dev.hearthpds.private.putRecord, grantAccess,
//     revokeAccess, reencryptRecords) — the same operations the desktop
//     app runs in-process with privacy.Service.
package remote
