// Package mail sends the account emails of the PDS: the single-use tokens
// that confirm an address, change it, reset a password, delete an account
// or sign a PLC operation.
//
// It has three layers. A [Mailer] delivers one [Message]; [SMTP] is the
// Mailer over a mail server named by an smtp:// URL (submission with
// STARTTLS, usually port 587) or an smtps:// URL (implicit TLS, usually
// port 465), authenticating with AUTH PLAIN when the URL carries a user.
// A [Sender] turns a token and its purpose into a plain-text message from
// the per-purpose templates under templates/ and hands it to a Mailer.
//
// The package does not store or check tokens (backend/account does), does
// not queue or retry (a failed send is an error the caller reports), and
// sends no HTML. Credentials are never sent over an unencrypted connection
// except to a loopback server. Package mailtest holds a tiny SMTP server on
// loopback for tests.
package mail
