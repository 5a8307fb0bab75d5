// Package privacy is the server side of Hearth's private records, and the
// owner's side where the owner's desktop holds the master key
// (docs/privacy.md, ../shared design private-records.md).
//
// Private records are end-to-end encrypted: package crypt (the client side)
// makes envelopes, sealed grants and encrypted blobs; this package stores
// them and decides who may fetch them. The boundary is explicit in the
// [Service]'s methods:
//
//   - Server-side methods take and return opaque bytes and never need a key:
//     [Service.PublicKey], [Service.PutEnvelope], [Service.GetEnvelope],
//     [Service.ListEnvelopes], [Service.DeleteEnvelope], [Service.GrantKeys],
//     [Service.ListGrants], [Service.Rotations], [Service.Collections],
//     [Service.StoreBlob], [Service.OpenBlob], [Service.PutKeyBackup],
//     [Service.KeyBackup], [Service.BackupStatus]. The XRPC layer calls
//     these; a grantee on another PDS reaches them with service auth.
//   - Owner-side methods unwrap the owner's seed with the master key and so
//     run only where the master key is (the desktop app's Go side, never
//     on behalf of an HTTP request): [Service.CreateIdentity],
//     [Service.PutRecord], [Service.GetRecord], [Service.ListRecords],
//     [Service.DeleteRecord], [Service.Grant], [Service.Revoke],
//     [Service.Rotate], [Service.EncryptBlob], [Service.DecryptBlob],
//     [Service.SetPassphraseBackup], [Service.Recover],
//     [Service.RecoverFromBackup]. A Service built without a master key
//     refuses them with ErrLocked.
//
// Nothing private enters the repo: no MST entry, CAR block, firehose event
// or public blob. The account's only public trace is its
// dev.hearthpds.crypto.encryptionKey/self record ([Service.PublicKey]).
package privacy
