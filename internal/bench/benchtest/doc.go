// Package benchtest provides misbehaving stand-ins for a PDS, to test that
// the bench notices what it must: a reverse proxy in front of a real server
// that acknowledges a write it never forwarded (the bench's verification
// must then fail loudly), or that answers subscribeRepos with 404 (the
// firehose scenario must then report an error rather than wait forever).
//
// It is a test helper shared by the bench's and the command line's tests;
// nothing in a running Hearth uses it.
package benchtest
