// Package plcserver is a did:plc directory for tests and development: an
// http.Handler speaking the subset of plc.directory's HTTP API that PDSes
// and atproto clients use.
//
//	POST /<did>            submit an operation
//	GET  /<did>            DID document (application/did+ld+json)
//	GET  /<did>/data       data of the latest operation
//	GET  /<did>/log        active operations
//	GET  /<did>/log/audit  every operation, nullified ones included
//	GET  /<did>/log/last   latest active operation
//	GET  /export           JSON lines (count, after = timestamp or seq)
//	GET  /_health          {"version": …}
//
// Submissions are checked as the real directory checks them: the JSON
// shape strictly (only plc_operation and plc_tombstone, no unknown fields),
// the field limits, that a genesis hashes to the DID in the path, that prev
// names an active operation of the DID and the signature comes from one of
// that operation's rotation keys. Naming an older operation than the latest
// forks history and nullifies what followed, which needs a key of higher
// priority than the signer of the first nullified operation and must happen
// within 72 hours. Every accepted operation is finally re-checked with
// go-didplc's VerifyOpLog over the DID's whole audit log. Errors are JSON
// {"message": …} with status 400 (refused operation) or 404 (unknown DID,
// or "DID not available" for a tombstoned one), with the real directory's
// messages.
//
// The state lives in memory; with Options.Path it is also kept in a JSON
// file, loaded and re-verified at start and rewritten atomically (temporary
// file, fsync, rename) after each accepted operation. That suits --dev,
// with its handful of accounts: every write rewrites the whole file.
//
// This package does not implement the real directory's rate limits, its
// 4000-byte DAG-CBOR size cap (it caps the JSON body at 16 KiB instead),
// legacy "create" submissions, the admin endpoints or the /export/stream
// WebSocket, and it keeps no entry order but its own (seq is the 1-based
// acceptance order). Documents list the atproto key and the atproto_pds
// service first, then the rest by name; the real directory keeps the
// operation's key order.
package plcserver
