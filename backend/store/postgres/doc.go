// Package postgres implements [store.Store] on PostgreSQL with pgx/v5. It is
// the backend for many users and for several Hearth instances sharing one
// database; the embedded default is store/sqlite.
//
// # Connections and transactions
//
// A [Store] owns a pgxpool connection pool configured from the URL given to
// [Open] (pgx's pool_max_conns and friends apply). Reads run on the pool as
// single statements. Every write transaction is driven by pipelined batches:
// statements are queued and sent together, so a transaction costs two or
// three round trips however many commits it carries, and BEGIN and COMMIT
// ride along with the first and last batch. Transactions run at READ
// COMMITTED; where a decision depends on rows another transaction may be
// writing, the row is locked first and read by a later statement, which
// takes a fresh snapshot.
//
// # Writing commits
//
// [Store.ApplyCommits] lands a batch of commits in one transaction, in three
// round trips:
//
//  1. BEGIN; lock the repos rows of every DID in the batch (SELECT ... ORDER
//     BY did FOR UPDATE) and, for DIDs the batch creates, insert the row of
//     the first genesis commit (INSERT ... ON CONFLICT DO NOTHING, in DID
//     order).
//  2. With the current roots known and locked, decide in Go which commits
//     land: a commit lands when its Prev is the repo's root at that point of
//     the batch (no repo, for a genesis commit). A commit that does not
//     fails alone with store.ErrRootMismatch, and so do the later commits of
//     its repo that built on it. Queue the statements of the commits that
//     land: blocks, record index rows and their blob references, released
//     blocks, the repos row; then lock the event_seq row.
//  3. Number the events from the locked counter, call each Event.Encode,
//     insert the events, store the new counter and COMMIT.
//
// A commit is decided before it writes anything, under the lock of its repo
// row, so a refused commit has nothing to undo: the savepoint per commit that
// the SQLite driver uses would only add a subtransaction per commit (and
// PostgreSQL slows down once a transaction has more than 64 of them). The
// outcome is the one the store contract describes. Any other failure (a
// database error, an Encode error) rolls the whole transaction back.
//
// # Firehose order
//
// Seqs come from the one-row event_seq table, locked with SELECT ... FOR
// UPDATE inside the transaction that writes the events and held until it
// commits. The next transaction that wants a seq waits for that commit, so
// seqs become visible in commit order even across Hearth instances: a reader
// that saw seq 6 can never later find a 5. A PostgreSQL sequence would not
// do (numbers are taken outside the transaction's order and burnt by
// rollbacks). Every transaction takes the repos rows (and blob rows) first
// and event_seq last, which keeps the lock order acyclic.
//
// # Schema
//
// The schema is migrated at [Open] with goose (Provider API, no global
// state) from the SQL files embedded under migrations/, which keep the same
// versions, tables and columns as the SQLite driver's. A session-level
// advisory lock, keyed by the schema name and held on a connection of its
// own, serialises instances that start together. Times are Unix
// microseconds and CIDs their binary form; text keys use COLLATE "C" so
// they order bytewise, as in SQLite. Paging methods treat a limit of zero
// or less as "no limit".
//
// The package does not cache, and it does not manage the database itself:
// backups, replication, vacuum and connection limits are the operator's
// (docs/storage.md, "PostgreSQL driver"). Tests find a database through the
// pgtest subpackage.
package postgres
