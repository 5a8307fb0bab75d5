// Package crypt is the client side of Hearth's private records: the
// cryptography that runs where plaintext and keys may exist — the owner's
// desktop app (its Go side) or a grantee's client — and nowhere else. It
// does no storage and no networking; package privacy stores what it
// produces (opaque envelopes, sealed grants, wrapped seeds) without being
// able to read it.
//
// The scheme (docs/private-records.md has the byte layouts):
//
//   - [Identity]: a random 32-byte seed → an X25519 key pair with the
//     standard library's crypto/hpke (DHKEM(X25519, HKDF-SHA256),
//     DeriveKeyPair). It is separate from the atproto signing key. Its
//     public half is published as a dev.hearthpds.crypto.encryptionKey
//     record ([PublicKey]), with its KEM identifier so a post-quantum KEM
//     (MLKEM768-X25519) can be added beside it.
//   - [CollectionKeys]: per (owner, collection) a random 32-byte key per
//     epoch, and one rkey-MAC key derived from the owner's seed. A record's
//     key is HKDF-SHA256 of its epoch key with the record's context; its
//     [Envelope] is XChaCha20-Poly1305 with that context as associated
//     data, so an envelope moved to another record, collection, owner or
//     epoch does not open.
//   - Rows are keyed by HMAC-SHA256(rkey-MAC key, rkey) ([CollectionKeys.RKeyMAC]);
//     the rkey itself travels inside the envelope.
//   - Grants ([SealGrant], [OpenGrant]): an epoch key and the MAC key
//     HPKE-sealed (base mode) to a recipient's public key, with owner,
//     recipient, collection and epoch in HPKE's info.
//   - Blobs ([EncryptBlob], [NewBlobReader]): a random key per blob, 64 KiB
//     XChaCha20-Poly1305 chunks with a counter nonce and a last-chunk flag
//     (the STREAM construction), so truncation, reordering and splicing are
//     detected.
//   - Recovery ([RecoveryCode], [ParseRecoveryCode]): the seed with a version
//     and a checksum in grouped base32; and a passphrase backup
//     ([WrapSeedBackup]): the seed wrapped under Argon2id.
//
// Key material is held in keys.Secret values and never appears in errors.
package crypt
