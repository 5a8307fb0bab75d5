// Package relaytest runs indigo's relay (cmd/relay/relay) in-process, so
// that tests can check that a real relay accepts Hearth's firehose: every
// #commit verified and re-broadcast, also after a reconnect with a cursor.
//
// The relay binary cannot crawl a PDS on loopback (its HTTP client and
// websocket dialer refuse private addresses); in-process it runs with a
// plain HTTP client as its HostChecker and subscribes to "localhost:<port>"
// hosts without TLS, which it allows. Its account and host tables live in a
// fresh PostgreSQL schema (gorm's PostgreSQL driver is pure Go; its SQLite
// driver would need cgo), and the events it re-broadcasts are kept in
// memory rather than in its disk log.
//
// The relay pulls in gorm, Prometheus and OpenTelemetry; only this package
// and its tests import it, so the hearth binary does not link them.
package relaytest
