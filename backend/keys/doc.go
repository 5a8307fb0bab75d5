// Package keys keeps Hearth's secrets safe at rest.
//
// Everything secret that Hearth stores — account signing keys, PLC rotation
// keys, later the seeds of private records — is sealed under one 32-byte
// master key before it reaches the database, so the database never holds a
// secret in clear. The master key itself lives outside the database, in
// one of three places ([KeyLocation]):
//
//   - a raw key file created with mode 0600, for headless servers
//     ([LoadOrCreateMasterKeyFile]);
//   - the operating system's keychain, for the desktop app: [OSKeychain]
//     (go-keyring: the Secret Service on Linux, the Keychain on macOS, the
//     Credential Manager on Windows) behind the [Keychain] interface, the
//     key stored there in base64 ([LoadOrCreateKeychainMasterKey]);
//   - a passphrase key file, for desktops without a usable keychain: the
//     key wrapped under Argon2id and XChaCha20-Poly1305 in a file with a
//     "HEARTH-KEY" header ([CreatePassphraseKeyFile],
//     [OpenPassphraseKeyFile], [ChangePassphrase]).
//
// [ProbeKeychain] tells, within a time limit, whether the keychain works
// right now and if not why, in plain words. [DesktopKeyState] and
// [UnlockDesktopMasterKey] pick the desktop app's place: a passphrase file
// that exists stays in use; otherwise the keychain when it works, a new
// passphrase file when it does not.
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
// This package does not prompt for anything and does not log: the app asks
// for the passphrase and shows the reason a keychain is not used.
package keys
