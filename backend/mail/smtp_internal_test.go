package mail

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/mail/mailtest"
)

// Credentials never go over a clear connection to a remote host: the
// mailer is named mail.example.com but dials the loopback test server,
// which offers no STARTTLS.
func TestSMTPRefusesClearPasswordToRemote(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.Plain, Username: "bot", Password: "pw"})
	s, err := NewSMTP(&url.URL{Scheme: "smtp", Host: "mail.example.com", User: url.UserPassword("bot", "pw")}, SMTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.addr = srv.URL().Host
	m := Message{Subject: "x", Body: "y"}
	m.From.Address, m.To.Address = "a@pds.example", "b@example.com"
	err = s.Send(context.Background(), m)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("err = %v, want a refusal to send the password in clear", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
}

func TestMessageRefusesInjection(t *testing.T) {
	ok := Message{Subject: "s", Body: "b"}
	ok.From.Address, ok.To.Address = "a@pds.example", "b@example.com"
	if _, err := ok.encode(testNow); err != nil {
		t.Fatalf("valid message: %v", err)
	}
	for name, mutate := range map[string]func(*Message){
		"subject with CRLF": func(m *Message) { m.Subject = "hi\r\nBcc: x@example.com" },
		"to with CRLF":      func(m *Message) { m.To.Address = "b@example.com\r\nBcc: x@example.com" },
		"name with LF":      func(m *Message) { m.From.Name = "Hearth\nBcc: x@example.com" },
		"to with angle":     func(m *Message) { m.To.Address = "<b@example.com>" },
		"empty to":          func(m *Message) { m.To.Address = "" },
		"to without domain": func(m *Message) { m.To.Address = "bob" },
		"to with two":       func(m *Message) { m.To.Address = "b@example.com, c@example.com" },
		"from with a space": func(m *Message) { m.From.Address = "a b@pds.example" },
	} {
		m := ok
		mutate(&m)
		if _, err := m.encode(testNow); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
