package mail_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/mail"
	"github.com/hearthpds/hearth/backend/mail/mailtest"
)

func testMessage(t *testing.T) mail.Message {
	t.Helper()
	from, err := mail.ParseAddress("Hearth <noreply@pds.example>")
	if err != nil {
		t.Fatal(err)
	}
	to, _ := mail.ParseAddress("alice@example.com")
	return mail.Message{From: from, To: to, Subject: "Grüße", Body: "line one\nthe token: ABCDE-23456\n" + strings.Repeat("long ", 40) + "\n"}
}

func send(t *testing.T, u *url.URL, srv *mailtest.Server) error {
	t.Helper()
	m, err := mail.NewSMTP(u, mail.SMTPOptions{RootCAs: srv.RootCAs()})
	if err != nil {
		t.Fatal(err)
	}
	return m.Send(context.Background(), testMessage(t))
}

func TestSMTPDelivers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    mailtest.Options
		wantTLS bool
	}{
		{"STARTTLS with AUTH", mailtest.Options{TLS: mailtest.StartTLS, Username: "bot", Password: "p@ss:word"}, true},
		{"implicit TLS with AUTH", mailtest.Options{TLS: mailtest.ImplicitTLS, Username: "bot", Password: "pw"}, true},
		{"STARTTLS without AUTH", mailtest.Options{TLS: mailtest.StartTLS}, true},
		{"plain loopback with AUTH", mailtest.Options{TLS: mailtest.Plain, Username: "bot", Password: "pw"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opts)
			if err := send(t, srv.URL(), srv); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := srv.Next(t)
			if got.From != "noreply@pds.example" || len(got.To) != 1 || got.To[0] != "alice@example.com" {
				t.Errorf("envelope = %q → %q", got.From, got.To)
			}
			if got.TLS != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", got.TLS, tc.wantTLS)
			}
			if got.Subject() != "Grüße" || got.Header.Get("From") != `"Hearth" <noreply@pds.example>` {
				t.Errorf("headers: subject %q, from %q", got.Subject(), got.Header.Get("From"))
			}
			if got.Body != testMessage(t).Body || got.Token() != "ABCDE-23456" {
				t.Errorf("body = %q", got.Body)
			}
			if got.Header.Get("Message-ID") == "" || got.Header.Get("Date") == "" {
				t.Errorf("missing Message-ID or Date: %v", got.Header)
			}
		})
	}
}

func TestSMTPFailures(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.StartTLS, Username: "bot", Password: "right"})
		u := srv.URL()
		u.User = url.UserPassword("bot", "wrong")
		err := send(t, u, srv)
		if err == nil || !strings.Contains(err.Error(), "AUTH") || strings.Contains(err.Error(), "wrong") {
			t.Errorf("err = %v, want an AUTH failure without the password", err)
		}
	})
	t.Run("credentials required", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.StartTLS, Username: "bot", Password: "pw"})
		u := srv.URL()
		u.User = nil
		if err := send(t, u, srv); err == nil || !strings.Contains(err.Error(), "MAIL FROM") {
			t.Errorf("err = %v, want MAIL FROM refused", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.ImplicitTLS})
		m, err := mail.NewSMTP(srv.URL(), mail.SMTPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), testMessage(t)); err == nil {
			t.Error("sent to a server with an untrusted certificate")
		}
	})
	t.Run("server offers no AUTH", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.StartTLS})
		u := srv.URL()
		u.User = url.UserPassword("bot", "pw")
		if err := send(t, u, srv); err == nil || !strings.Contains(err.Error(), "AUTH PLAIN") {
			t.Errorf("err = %v, want no AUTH PLAIN", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		m, _ := mail.NewSMTP(&url.URL{Scheme: "smtp", Host: addr}, mail.SMTPOptions{})
		if err := m.Send(context.Background(), testMessage(t)); err == nil || !strings.Contains(err.Error(), "connect") {
			t.Errorf("err = %v, want a connection error", err)
		}
	})
}

// A server that accepts and never answers must not hang Send past its
// context.
func TestSMTPHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	m, _ := mail.NewSMTP(&url.URL{Scheme: "smtp", Host: ln.Addr().String()}, mail.SMTPOptions{Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := m.Send(ctx, testMessage(t)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}

func TestNewSMTP(t *testing.T) {
	for _, tc := range []struct {
		url, wantErr string
	}{
		{"smtp://mail.example.com", ""},
		{"smtps://u:p@mail.example.com:2465", ""},
		{"smtp://mail.example.com?from=noreply%40example.com", ""},
		{"smtp://mail.example.com?tls=off", "unknown parameter"},
		{"http://mail.example.com", "scheme"},
		{"smtp://", "no host"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = mail.NewSMTP(u, mail.SMTPOptions{})
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("NewSMTP(%s) = %v, want %q", tc.url, err, tc.wantErr)
		}
	}
	if _, err := mail.NewSMTP(nil, mail.SMTPOptions{}); err == nil {
		t.Error("NewSMTP(nil) succeeded")
	}
}

func TestFromAddress(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"smtp://mail.example.com", "<noreply@pds.example>"},
		{"smtp://bot@example.com:pw@mail.example.com", "<bot@example.com>"},
		{"smtp://bot:pw@mail.example.com", "<noreply@pds.example>"},
		{"smtp://bot@example.com:pw@mail.example.com?from=Hearth%20%3Chi%40pds.example%3E", `"Hearth" <hi@pds.example>`},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := mail.FromAddress(u, "pds.example")
		if err != nil || got.String() != tc.want {
			t.Errorf("FromAddress(%s) = %v, %v; want %s", tc.url, got.String(), err, tc.want)
		}
	}
	u, _ := url.Parse("smtp://mail.example.com?from=not-an-address")
	if _, err := mail.FromAddress(u, "pds.example"); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("bad from: err = %v", err)
	}
}
