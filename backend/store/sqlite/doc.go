// Package sqlite implements [store.Store] on an embedded SQLite database
// (modernc.org/sqlite, pure Go, no cgo). It is Hearth's default backend: one
// user or a handful of users on one machine, nothing to install or run.
//
// SQLite allows one writer at a time, so the Store owns exactly one writer
// connection and sends every write transaction through it, opened with
// BEGIN IMMEDIATE so a transaction holds the write lock from its first
// statement and never fails half-way on a lock upgrade. Queries use a
// separate pool of read-only connections (mode=ro, query_only), which WAL
// mode lets run concurrently with the writer. Throughput comes from batching,
// not from concurrency: the write path hands [Store.ApplyCommits] many
// commits at once (group commit), and they land in one transaction.
//
// Every connection is configured through the DSN so a connection the pool
// re-opens gets the same settings: journal_mode=WAL, busy_timeout,
// foreign_keys=on and synchronous=NORMAL, plus in-memory temporary storage
// on the writer. Checkpoints run in the background on a connection of their
// own (checkpoint.go), so the writer only appends to the log; its automatic
// checkpoint remains as a backstop. With WAL and NORMAL a committed
// transaction survives a crash of the process; an OS crash or a power loss
// may lose the last transactions (those the log had not yet synced to disk,
// at a checkpoint or by the kernel's own writeback), but never corrupts the
// database. docs/storage.md explains the trade-off.
//
// Each block row carries the rev of the commit that first inserted it
// (INSERT OR IGNORE keeps the first), which [Store.ForEachBlockSince] filters
// on; [Store.ImportRepo] rewrites a whole repo in one transaction and stamps
// every block with the import's rev.
//
// The schema is migrated at [Open] with goose from the SQL files embedded
// under migrations/, which keep the same versions as the PostgreSQL driver's.
// Times are stored as Unix microseconds and CIDs in their binary form.
//
// The package does not cache: every read goes to the database, and SQLite's
// page cache does the rest (the server puts repo.CacheRecords in front of
// it). A database file is meant to be opened by one
// Store (one process) at a time. Paging methods treat a limit of zero or less
// as "no limit".
package sqlite
