package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Mailer delivers one message.
type Mailer interface {
	// Send delivers m, or returns why it could not. It gives up when ctx
	// is done.
	Send(ctx context.Context, m Message) error
}

// Message is one plain-text email.
type Message struct {
	From    mail.Address
	To      mail.Address
	Subject string
	Body    string // plain text; lines end in \n
}

// ErrInvalidMessage reports a message that cannot be sent as given: an
// empty or malformed address, or a header value with a line break.
var ErrInvalidMessage = errors.New("mail: invalid message")

// check refuses addresses that would not survive the envelope or the
// headers.
func (m Message) check() error {
	for _, a := range []mail.Address{m.From, m.To} {
		if !validAddress(a.Address) || strings.ContainsAny(a.Name, "\r\n") {
			return fmt.Errorf("%w: address %q", ErrInvalidMessage, a.Address)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: subject has a line break", ErrInvalidMessage)
	}
	return nil
}

// validAddress reports whether s is a bare addr-spec (local@domain).
func validAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s, "@") && !strings.ContainsAny(s, "<>\r\n ")
}

// ParseAddress parses an address with an optional display name
// ("Hearth <noreply@example.com>" or "noreply@example.com").
func ParseAddress(s string) (mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || !validAddress(a.Address) {
		return mail.Address{}, fmt.Errorf("%w: %q is not an email address", ErrInvalidMessage, s)
	}
	return *a, nil
}

// encode renders the message as RFC 5322 text with CRLF line ends: the
// headers, then the body as quoted-printable UTF-8.
func (m Message) encode(now time.Time) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	id, err := messageID(m.From.Address)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", m.From.String())
	header("To", m.To.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, fmt.Errorf("mail: encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("mail: encode body: %w", err)
	}
	return b.Bytes(), nil
}

// messageID is a random Message-ID at the sender's domain.
func messageID(from string) (string, error) {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("mail: message id: %w", err)
	}
	return fmt.Sprintf("<%x@%s>", r, domain), nil
}
