// Package identity is Hearth's view of atproto identity: did:plc DIDs,
// their operations and documents, and handles.
//
// It has four parts.
//
//   - Operations. NewGenesis builds and signs the operation that creates a
//     did:plc and derives the DID from it, without any network access, so a
//     caller (the desktop app, for one) can learn its DID first and register
//     it later. NewUpdate and NewTombstone build the operations that follow.
//     OpData is the editable content of an operation: rotation keys,
//     verification methods (the repo signing key is "atproto"), alsoKnownAs
//     (the handle, as at://<handle>) and services (the PDS is
//     "atproto_pds"). VerifyAuditLog checks a whole log.
//   - PLCClient, which talks to a PLC directory over HTTP: it submits
//     operations (CreateDID, Submit, Update, UpdateHandle) and reads a DID's
//     document, data and logs. The directory's refusals come back as a
//     *DirectoryError with its message.
//   - NewDirectory, the indigo identity.Directory (a cached BaseDirectory)
//     through which the rest of Hearth resolves DIDs and handles against the
//     configured PLC directory, loopback included.
//   - Handle rules: NormalizeHandle, ValidateHandle for handles under the
//     PDS's service domains (one label of 3 to 18 characters before the
//     domain), ValidateUserDomainHandle for handles on the user's own domain.
//
// Key roles: the signing key signs repo commits and is published in the DID
// document; rotation keys, listed in the operations but not in the
// document, sign PLC operations, earlier keys outranking later ones. The
// PDS holds one rotation key; a user may hold a higher-priority one.
//
// The subpackage plcserver is a local PLC directory for tests and --dev.
//
// This package does not serve anything over HTTP (the XRPC layer answers
// /.well-known/atproto-did and handle checks with the pieces here), does
// not store keys (backend/keys does), does not resolve did:web itself (the
// indigo directory does, HTTPS only), and does not implement the PLC
// directory's rate limits or its WebSocket export stream. go-didplc and
// indigo types stay inside this package, apart from atcrypto keys,
// syntax.DID and syntax.Handle in signatures and the indigo Directory
// returned by NewDirectory.
package identity
