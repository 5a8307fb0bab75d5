// Package firehose serves the repository event stream,
// com.atproto.sync.subscribeRepos, and asks relays to crawl this server
// (com.atproto.sync.requestCrawl).
//
// # Frames
//
// A frame on the wire is two concatenated DAG-CBOR objects: a header
// {"op": 1, "t": "#commit"} and the message body. Hearth stores each event as
// its complete frame, encoded once inside the transaction that assigns its
// sequence number, so replaying from the database is a byte copy and the
// live stream sends the very bytes that were stored.
//
// # Sequencer
//
// The database, not this package, orders events: a commit's event row is
// written in the commit's transaction and its seq becomes visible in commit
// order (store/postgres documents how). A [Sequencer] tails that log — it
// reads every event after the last one it saw, when woken through its
// Notify (see [Notifier] and [NotifyingStore]) and otherwise every
// PollInterval, which is also how it sees the events of other Hearth
// instances sharing a PostgreSQL database — and broadcasts each one to the
// live subscribers. A subscriber has a bounded queue; the
// sequencer never waits for one, it drops a subscriber whose queue is full
// (the client gets a ConsumerTooSlow error frame and may reconnect with a
// cursor). Writers never wait for the firehose at all.
//
// # Replay and hand-over
//
// A subscriber with a cursor first replays from the database, page by page,
// writing to its own connection. It joins the live stream when the
// sequencer's in-memory history (the most recent events it broadcast) holds
// everything after the last event the subscriber sent: it then takes the
// missing events from the history and is registered, both under the
// sequencer's lock, so every later event reaches it exactly once. Nothing
// can fall between the database read and the registration, and an event
// both read from the database and broadcast is sent once (each subscriber
// remembers the last seq it was given).
//
// A cursor past the latest seq gets a FutureCursor error frame. A cursor
// whose next events were deleted by retention, or are older than the
// retention window, gets an #info OutdatedCursor frame and the replay starts
// with the oldest event still in the window, as the reference PDS does.
// Events older than Retention are deleted by a loop in the sequencer.
//
// # requestCrawl
//
// A [Crawler] posts {"hostname": ...} to each configured relay shortly after
// start and again after changes, at most once per MinInterval per relay (the
// reference PDS waits 20 minutes), retrying failures with backoff.
//
// # Client
//
// [Subscribe] connects to a subscribeRepos stream and decodes its frames
// ([Message]); Hearth's tests read their own firehose through it.
//
// The package does not encode #commit bodies (backend/repo does) nor
// #identity and #account bodies (backend/account does); it is named
// firehose rather than sync to keep clear of the standard library's sync
// package, and is the architecture's sync/ concern.
package firehose
