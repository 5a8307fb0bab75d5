// Package privacy is the server side of Hearth's private records, and the
// owner's side where the owner's desktop holds the master key
// (docs/private-records.md, ../shared design private-records.md).
//
// Private records are end-to-end encrypted: package crypt (the client side)
// makes envelopes, sealed grants and encrypted blobs; this package stores
// them and decides who may fetch them. The boundary is explicit in the
// [Service]'s methods:
//
//   - Server-side methods take and return opaque bytes and never need a key:
//     [Service.PublicKey], [Service.PutEnvelope], [Service.GetEnvelope],
//     [Service.ListEnvelopes], [Service.ListEnvelopesWith],
//     [Service.DeleteEnvelope], [Service.GrantKeys], [Service.ListGrants],
//     [Service.Rotations], [Service.Collections], [Service.StoreBlob],
//     [Service.OpenBlob], [Service.PutKeyBackup], [Service.KeyBackup],
//     [Service.BackupStatus], and the calls that store what an owner's
//     client sealed: [Service.GrantSealed] (a grant), [Service.StartEpoch]
//     (a revocation or rotation) and [Service.Reencrypt]. The XRPC layer
//     calls these; a grantee on another PDS reaches the read methods with
//     service auth.
//   - Owner-side methods unwrap the owner's seed with the master key and so
//     run only where the master key is (the desktop app's Go side, never
//     on behalf of an HTTP request): [Service.CreateIdentity],
//     [Service.PutRecord], [Service.GetRecord], [Service.ListRecords],
//     [Service.DeleteRecord], [Service.Grant], [Service.Revoke],
//     [Service.Rotate], [Service.EncryptBlob], [Service.DecryptBlob],
//     [Service.SetPassphraseBackup], [Service.Recover],
//     [Service.RecoverFromBackup]. A Service built without a master key
//     refuses them with ErrLocked. Grant, Revoke and Rotate seal in process
//     and then go through the same checks and store calls as GrantSealed
//     and StartEpoch, so both paths behave the same.
//   - Grantee-side methods read, for an account hosted here, what other
//     accounts granted it ("shared with me"), decrypting with its own
//     identity: [Service.ReadGranted], [Service.ReadGrantedBlob]. An owner
//     on another PDS is reached through package remote with the grantee's
//     service-auth JWTs ([Config].Network).
//
// Grants and rotations run the plugin hooks ([Hooks]:
// privacy.on_access_grant_request may refuse a grant, privacy.on_key_rotation
// is told of a new epoch); they see who, which collection and which epoch,
// never a key.
//
// Nothing private enters the repo: no MST entry, CAR block, firehose event
// or public blob. The account's only public trace is its
// dev.hearthpds.crypto.encryptionKey/self record ([Service.PublicKey]).
package privacy
