// Package bench is a load generator for atproto PDSs: it drives any server
// by URL over real HTTP, so the same run measures Hearth and its peers side
// by side, and it checks what the servers acknowledged.
//
// # Scenarios
//
// Each target gets its own accounts, made through the public API
// (describeServer for the handle domain; an invite code from --invite-code,
// or made with com.atproto.server.createInviteCodes under the admin
// password). Then, per run:
//
//   - create: sequential createRecord on one connection;
//   - get: sequential getRecord of the records the bench wrote;
//   - list: listRecords pages of 100, following the cursor;
//   - writers-1: N writers, one connection each, on one repo; then the repo
//     is exported with getRepo, loaded with indigo's atproto/repo, its commit
//     signature checked against the key of the DID document that
//     describeRepo returns, and every acknowledged write looked up: a
//     missing one is a failed verification (Result.Failure), which the
//     command turns into a non-zero exit;
//   - writers-n: the same on N repos;
//   - getrepo: a repo of --records posts (built once per target with
//     applyWrites batches of 200) exported with getRepo: time to last byte,
//     CAR size, and the blocks the commit does not reach;
//   - firehose: K websocket subscribers on com.atproto.sync.subscribeRepos
//     and sequential writes; the latency of a (subscriber, write) pair is the
//     arrival of the #commit frame carrying the commit CID that createRecord
//     returned, minus the moment the request was sent.
//
// Runs alternate between targets (A, B, A, B, …) so slow drift of the
// machine affects every target alike; the table shows the median of the
// runs, the JSON report every run as well.
//
// # Measuring
//
// Latencies are kept whole and sorted, so percentiles are exact (nearest
// rank), not estimated. The client is kept lean: request bodies are
// pre-encoded templates with a counter appended, every worker owns one
// keep-alive connection, and the progress display reads an atomic counter
// from its own goroutine. [RunBaseline] measures what this client achieves
// against a trivial loopback server, the ceiling for any server figure.
//
// For a server on the same machine the bench also reports its memory
// (VmRSS and VmHWM from /proc/<pid>/status) and the size of its data
// directory.
//
// The package does not start servers, does not retry failed requests, and
// does not refresh access tokens: a bench must finish within the server's
// access-token lifetime (two hours for Hearth and the reference PDS).
package bench
