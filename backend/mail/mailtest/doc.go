// Package mailtest runs a small SMTP server on loopback for tests. It
// speaks enough of the protocol for a submission client — EHLO, STARTTLS
// with a self-signed certificate, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT — and keeps every message it receives. It does not relay,
// check addresses, or enforce size limits, and must not be used outside
// tests.
package mailtest
