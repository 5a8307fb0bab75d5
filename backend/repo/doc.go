// Package repo is Hearth's repository engine: it turns record writes into
// signed atproto commits and hands them to the store, and it exports repos as
// CAR files.
//
// It builds on indigo's atproto/repo and atproto/repo/mst (Sync 1.1). The
// write path per repo is:
//
//  1. records are encoded to DAG-CBOR and validated outside any lock;
//  2. under the repo's lock, the cached MST is mutated (repo.ApplyOp, keeping
//     each operation's Prev), swap conditions are checked against it, the
//     dirty nodes are written to a recording blockstore, and a commit is built
//     and signed with the account's signing key;
//  3. the MST nodes that the new root no longer reaches are computed from an
//     in-memory map of the tree's node graph (no I/O), and together with the
//     previous commit and replaced record blocks they are released;
//  4. the commit and its #commit firehose frame are queued to the group
//     committer, the lock is released, and the caller waits until the
//     database transaction holding its commit is durable.
//
// Because the lock is released before durability, several commits of one
// repo can share a transaction (group commit). If a transaction fails, the
// repo's cached state is dropped and rebuilt from the database; commits
// queued on top of it fail their compare-and-swap and are retried.
//
// Import (import.go) replaces a whole repo from a CAR (importRepo): it checks
// every block against its CID, the commit's DID and signature, and that the
// MST and its records are complete, then re-signs the imported tree as a new
// commit of this server and lands it with a #sync event in one transaction.
//
// The package does not speak HTTP and does not check who may write: callers
// (the XRPC layer, the desktop app) authorise first.
package repo
