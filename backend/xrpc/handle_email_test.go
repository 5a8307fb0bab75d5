package xrpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/mail/mailtest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// mailClient calls a test server with one account's access token.
type mailClient struct {
	t      *testing.T
	url    string
	access string
}

// call POSTs body (nil for none) to a procedure, or GETs a query when
// method is GET, and decodes the JSON answer into out when it is non-nil.
// It returns the status and the error name ("" on success).
func (c *mailClient) call(method, nsid string, body any, out any) (int, string) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.url+"/xrpc/"+nsid, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.access != "" {
		req.Header.Set("Authorization", "Bearer "+c.access)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		_ = json.Unmarshal(raw, &e)
		c.t.Logf("%s → %d %s: %s", nsid, resp.StatusCode, e.Error, e.Message)
		return resp.StatusCode, e.Error
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s: decode %q: %v", nsid, raw, err)
		}
	}
	return resp.StatusCode, ""
}

// must fails the test unless the call succeeded.
func (c *mailClient) must(nsid string, body, out any) {
	c.t.Helper()
	if status, name := c.call(http.MethodPost, nsid, body, out); status != http.StatusOK {
		c.t.Fatalf("%s: %d %s", nsid, status, name)
	}
}

// want fails the test unless the call failed with status and error name.
func (c *mailClient) want(status int, errName, nsid string, body any) {
	c.t.Helper()
	if got, name := c.call(http.MethodPost, nsid, body, nil); got != status || name != errName {
		c.t.Errorf("%s: got %d %q, want %d %s", nsid, got, name, status, errName)
	}
}

type mailSession struct {
	AccessJwt      string `json:"accessJwt"`
	RefreshJwt     string `json:"refreshJwt"`
	DID            string `json:"did"`
	Email          string `json:"email"`
	EmailConfirmed bool   `json:"emailConfirmed"`
}

func (c *mailClient) session() mailSession {
	c.t.Helper()
	var s mailSession
	if status, name := c.call(http.MethodGet, "com.atproto.server.getSession", nil, &s); status != http.StatusOK {
		c.t.Fatalf("getSession: %d %s", status, name)
	}
	return s
}

// mailSignUp creates an account and returns a client signed in to it.
func mailSignUp(t *testing.T, pdsURL, handle, email, password string) *mailClient {
	t.Helper()
	c := &mailClient{t: t, url: pdsURL}
	var s mailSession
	c.must("com.atproto.server.createAccount", map[string]string{"handle": handle, "email": email, "password": password}, &s)
	c.access = s.AccessJwt
	return c
}

// nextMail waits for the next message and checks its recipient and
// subject; it returns the token in it.
func nextMail(t *testing.T, smtp *mailtest.Server, to, subject string) string {
	t.Helper()
	m := smtp.Next(t)
	if len(m.To) != 1 || m.To[0] != to || m.Subject() != subject {
		t.Fatalf("mail to %v %q, want to %s %q", m.To, m.Subject(), to, subject)
	}
	if m.Token() == "" {
		t.Fatalf("no token in %q", m.Body)
	}
	return m.Token()
}

// TestEmailFlows drives every email method through HTTP against a loopback
// SMTP server, reading each token out of the mail it sends.
func TestEmailFlows(t *testing.T) { testdb.RunURL(t, testEmailFlows) }

func testEmailFlows(t *testing.T, dbURL func(testing.TB) string) {
	smtp := mailtest.Start(t, mailtest.Options{Username: "hearth", Password: "smtp secret"})
	u := smtp.URL()
	u.RawQuery = "from=Hearth%20%3Cnoreply%40pds.test%3E"
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), ExtraArgs: []string{"--smtp-url", u.String()}})
	c := mailSignUp(t, pds.URL, "carol.test", "carol@example.com", "carol's password")

	testConfirmEmail(t, c, smtp)
	testUpdateEmail(t, c, smtp)
	testResetPassword(t, c, smtp)
	if m := smtp.Messages()[0]; m.From != "noreply@pds.test" || m.Header.Get("From") != `"Hearth" <noreply@pds.test>` {
		t.Errorf("sent from %q (%q)", m.From, m.Header.Get("From"))
	}
}

func testConfirmEmail(t *testing.T, c *mailClient, smtp *mailtest.Server) {
	if s := c.session(); s.Email != "carol@example.com" || s.EmailConfirmed {
		t.Fatalf("new session: %+v", s)
	}
	var upd struct{ TokenRequired bool }
	c.must("com.atproto.server.requestEmailUpdate", nil, &upd)
	if upd.TokenRequired {
		t.Error("requestEmailUpdate: token required for an unconfirmed email")
	}
	c.must("com.atproto.server.requestEmailConfirmation", nil, nil)
	token := nextMail(t, smtp, "carol@example.com", "Email Confirmation")
	c.want(429, "RateLimitExceeded", "com.atproto.server.requestEmailConfirmation", nil)
	c.want(400, "InvalidEmail", "com.atproto.server.confirmEmail", map[string]string{"email": "eve@example.com", "token": token})
	c.want(400, "InvalidToken", "com.atproto.server.confirmEmail", map[string]string{"email": "carol@example.com", "token": "AAAAA-AAAAA"})
	c.must("com.atproto.server.confirmEmail", map[string]string{"email": "Carol@Example.com", "token": strings.ToLower(token)}, nil)
	if s := c.session(); !s.EmailConfirmed {
		t.Fatalf("after confirmEmail: %+v", s)
	}
	c.want(400, "InvalidToken", "com.atproto.server.confirmEmail", map[string]string{"email": "carol@example.com", "token": token})
}

func testUpdateEmail(t *testing.T, c *mailClient, smtp *mailtest.Server) {
	var upd struct{ TokenRequired bool }
	c.must("com.atproto.server.requestEmailUpdate", nil, &upd)
	if !upd.TokenRequired {
		t.Fatal("requestEmailUpdate: no token required for a confirmed email")
	}
	token := nextMail(t, smtp, "carol@example.com", "Email Update Requested")
	c.want(400, "TokenRequired", "com.atproto.server.updateEmail", map[string]string{"email": "carol@new.example"})
	c.want(400, "InvalidToken", "com.atproto.server.updateEmail", map[string]string{"email": "carol@new.example", "token": "AAAAA-AAAAA"})
	// An app password, even a privileged one, cannot change the email.
	var ap struct{ Password string }
	c.must("com.atproto.server.createAppPassword", map[string]any{"name": "phone", "privileged": true}, &ap)
	var apSession mailSession
	(&mailClient{t: t, url: c.url}).must("com.atproto.server.createSession", map[string]string{"identifier": "carol.test", "password": ap.Password}, &apSession)
	apClient := &mailClient{t: t, url: c.url, access: apSession.AccessJwt}
	apClient.want(400, "InvalidToken", "com.atproto.server.updateEmail", map[string]string{"email": "carol@new.example", "token": token})

	c.must("com.atproto.server.updateEmail", map[string]string{"email": "Carol@New.Example", "token": token}, nil)
	if s := c.session(); s.Email != "carol@new.example" || s.EmailConfirmed {
		t.Fatalf("after updateEmail: %+v", s)
	}
	c.want(400, "InvalidRequest", "com.atproto.server.updateEmail", map[string]string{"email": "not an email"})
}

func testResetPassword(t *testing.T, c *mailClient, smtp *mailtest.Server) {
	anon := &mailClient{t: t, url: c.url}
	var before mailSession
	anon.must("com.atproto.server.createSession", map[string]string{"identifier": "carol.test", "password": "carol's password"}, &before)
	anon.want(400, "InvalidRequest", "com.atproto.server.requestPasswordReset", map[string]string{"email": "carol@example.com"})
	anon.must("com.atproto.server.requestPasswordReset", map[string]string{"email": "CAROL@new.example"}, nil)
	token := nextMail(t, smtp, "carol@new.example", "Password Reset Requested")
	anon.want(429, "RateLimitExceeded", "com.atproto.server.requestPasswordReset", map[string]string{"email": "carol@new.example"})
	anon.want(400, "InvalidToken", "com.atproto.server.resetPassword", map[string]string{"token": "AAAAA-AAAAA", "password": "new password"})
	anon.must("com.atproto.server.resetPassword", map[string]string{"token": token, "password": "carol's new password"}, nil)
	anon.want(400, "InvalidToken", "com.atproto.server.resetPassword", map[string]string{"token": token, "password": "again"})
	anon.want(401, "AuthenticationRequired", "com.atproto.server.createSession", map[string]string{"identifier": "carol.test", "password": "carol's password"})
	anon.must("com.atproto.server.createSession", map[string]string{"identifier": "carol@new.example", "password": "carol's new password"}, nil)
	// The reset ended the sessions opened with the old password.
	(&mailClient{t: t, url: c.url, access: before.RefreshJwt}).want(401, "ExpiredToken", "com.atproto.server.refreshSession", nil)
}

// TestEmailWithoutSMTP: with no mail server, every method that must send a
// token says which setting is missing; the rest still work.
func TestEmailWithoutSMTP(t *testing.T) { testdb.RunURL(t, testEmailWithoutSMTP) }

func testEmailWithoutSMTP(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	c := mailSignUp(t, pds.URL, "dave.test", "dave@example.com", "dave's password")
	anon := &mailClient{t: t, url: pds.URL}
	for _, call := range []struct {
		c    *mailClient
		nsid string
		body any
	}{
		{c, "com.atproto.server.requestEmailConfirmation", nil},
		{anon, "com.atproto.server.requestPasswordReset", map[string]string{"email": "dave@example.com"}},
	} {
		status, name, msg := mailRawCall(t, call.c, call.nsid, call.body)
		if status != http.StatusNotImplemented || name != "EmailNotConfigured" || !strings.Contains(msg, "HEARTH_SMTP_URL") {
			t.Errorf("%s: %d %s %q, want 501 EmailNotConfigured naming HEARTH_SMTP_URL", call.nsid, status, name, msg)
		}
	}
	var upd struct{ TokenRequired bool }
	c.must("com.atproto.server.requestEmailUpdate", nil, &upd)
	c.must("com.atproto.server.updateEmail", map[string]string{"email": "dave@new.example"}, nil)
	if s := c.session(); s.Email != "dave@new.example" || upd.TokenRequired {
		t.Errorf("after updateEmail: %+v (token required %v)", s, upd.TokenRequired)
	}
}

// mailRawCall returns the status, error name and message of a POST.
func mailRawCall(t *testing.T, c *mailClient, nsid string, body any) (int, string, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.url+"/xrpc/"+nsid, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if c.access != "" {
		req.Header.Set("Authorization", "Bearer "+c.access)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error, Message string }
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Error, e.Message
}
