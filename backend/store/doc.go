// Package store defines Hearth's storage layer: the domain types, the
// interfaces every storage backend implements, and the errors they return.
//
// The interfaces are coarse and domain-shaped rather than a generic SQL shim:
// each method is one atomic unit of work. The most important one is
// [Repos.ApplyCommits], which lands one or more repository commits — their new
// blocks, the removal of blocks no longer reachable, the record index, the
// compare-and-swap of the repo root and the firehose event with its
// database-assigned sequence number — in a single transaction.
//
// Two backends implement [Store]: store/sqlite (the embedded default, one
// writer connection plus a read pool) and store/postgres (many users, several
// Hearth instances on one database). Both are checked by the same conformance
// suite in store/storetest.
//
// This package does not know about HTTP, JWTs, MST structure or CBOR: callers
// hand it bytes and CIDs that they already validated.
package store
