// Package keys keeps Hearth's secrets safe at rest.
//
// Everything secret that Hearth stores — account signing keys, PLC rotation
// keys, later the seeds of private records — is sealed under one 32-byte
// master key before it reaches the database, so the database never holds a
// secret in clear. The master key itself lives outside the database: in a
// file created with mode 0600 for headless servers
// ([LoadOrCreateMasterKeyFile]), or in the operating system's keychain for
// the desktop app (behind the [Keychain] interface).
//
// A [Sealer] does the sealing: XChaCha20-Poly1305 with a random 24-byte
// nonce, a version byte in front so the format can evolve, and associated
// data chosen by the caller (for example "signing-key:" + did) so that a
// sealed value copied into another row no longer opens. The master key is
// never used directly: the Sealer and every other consumer get sub-keys
// derived from it with HKDF-SHA256 under a fixed purpose label
// ([Sealer.DeriveKey] with [PurposeJWTSecret], [PurposeAppPasswordPepper]).
// Changing a label changes the key, so labels are permanent.
//
// [GenerateSigningKey], [SealPrivateKey] and [OpenPrivateKey] handle atproto
// signing keys (K-256 and P-256, from indigo's atcrypto); a sealed key
// carries its multicodec type so either curve round-trips.
//
// Secret material is held in [Secret] values, which format, log and marshal
// as "[redacted]". Errors returned here never contain key material.
//
// This package does not prompt for anything, does not log, and does not yet
// read passphrase-wrapped master key files or talk to a real OS keychain;
// both are planned and the file loader refuses anything but a raw 32-byte
// key, so a future wrapped format can be told apart by its size and header.
package keys
