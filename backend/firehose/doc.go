// Package firehose encodes and (in later work) serves the repository event
// stream, com.atproto.sync.subscribeRepos.
//
// A frame on the wire is two concatenated DAG-CBOR objects: a header
// {"op": 1, "t": "#commit"} and the message body. Hearth stores each event as
// its complete frame, encoded once inside the transaction that assigns its
// sequence number, so replaying from the database is a byte copy.
//
// The package is named firehose rather than sync to keep clear of the
// standard library's sync package; it is the architecture's sync/ concern.
package firehose
