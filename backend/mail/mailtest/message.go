package mailtest

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
)

// Message is one message the server received.
type Message struct {
	From string   // the envelope sender (MAIL FROM)
	To   []string // the envelope recipients (RCPT TO)
	Raw  []byte   // the message as sent after DATA, CRLF line ends
	TLS  bool     // whether it arrived over TLS

	Header mail.Header // parsed headers (nil if the message did not parse)
	Body   string      // the body, quoted-printable decoded, \n line ends
}

func newMessage(from string, to []string, raw []byte, tls bool) Message {
	m := Message{From: from, To: to, Raw: raw, TLS: tls}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m
	}
	m.Header = parsed.Header
	var body io.Reader = parsed.Body
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, _ := io.ReadAll(body)
	m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return m
}

// Subject is the decoded Subject header.
func (m Message) Subject() string {
	if m.Header == nil {
		return ""
	}
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// tokenPattern matches an account token as the PDS sends it: two groups of
// five base32 characters.
var tokenPattern = regexp.MustCompile(`\b[A-Z2-7]{5}-[A-Z2-7]{5}\b`)

// Token returns the first account token ("ABCDE-FGHIJ") in the body, or "".
func (m Message) Token() string {
	return tokenPattern.FindString(m.Body)
}
