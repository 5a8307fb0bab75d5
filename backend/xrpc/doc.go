// Package xrpc is Hearth's HTTP layer: the /xrpc/{nsid} router, the mapping
// of errors to XRPC error responses, request decoding and authentication,
// and the handlers, grouped by lexicon namespace (handle_server.go,
// handle_repo.go, ...).
//
// Handlers parse outside input into typed values at the edge (DIDs, NSIDs,
// record keys, CIDs) and call the backend services; they hold no business
// logic of their own. Every error leaves through one function, writeError,
// which maps known errors to their XRPC name and status and turns anything
// unknown into a logged 500 InternalServerError without leaking its cause.
package xrpc
