package oauth_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
)

// TestPages: the account chooser remembers a signed-in account, Deny
// answers access_denied, and refused submissions show a page, never a
// redirect or a 500.
func TestPages(t *testing.T) {
	f := start(t, testdb.SQLiteURL(t))
	ctx := t.Context()
	app := f.app(scopesAsked...)
	b := newBrowser(t)

	// First sign-in on this browser: login form; wrong password and an
	// app-password-shaped password are refused on the page.
	authURL, info := f.begin(ctx, app)
	p := b.get(authURL)
	for _, pw := range []string{"wrong password", "abcd-efgh-ijkl-mnop", appPassword(t, f)} {
		bad := b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info, url.Values{
			"action": {"login"}, "identifier": {"alice.test"}, "password": {pw},
		}))
		if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, `role="alert"`) {
			t.Fatalf("bad password %q: %d\n%s", pw, bad.status, bad.body)
		}
	}
	if bad := b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info, url.Values{
		"action": {"login"}, "identifier": {"nobody.test"}, "password": {password},
	})); bad.status != http.StatusUnauthorized {
		t.Fatalf("unknown account: %d", bad.status)
	}
	p = b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info, url.Values{
		"action": {"login"}, "identifier": {"alice@example.com"}, "password": {password},
	}))
	if !strings.Contains(p.body, "Allow access to alice.test") || !strings.Contains(p.body, "transition:chat.bsky") {
		t.Fatalf("consent after email login: %d\n%s", p.status, p.body)
	}

	// A forged form (wrong CSRF token) is refused.
	forged := p.form(t, app, info, url.Values{"action": {"approve"}, "did": {f.did.String()}})
	forged.Set("csrf_token", "forged")
	if r := b.post(f.meta.AuthorizationEndpoint, forged); r.status != http.StatusForbidden || r.location != "" {
		t.Fatalf("forged form: %d %q", r.status, r.location)
	}
	// Deny sends access_denied with state and iss.
	r := b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info, url.Values{"action": {"deny"}}))
	loc, _ := url.Parse(r.location)
	if r.status != http.StatusSeeOther || loc.Query().Get("error") != "access_denied" ||
		loc.Query().Get("state") != info.State || loc.Query().Get("iss") != f.pds.URL {
		t.Fatalf("deny: %d %q", r.status, r.location)
	}
	// The denied request is gone.
	if again := b.get(authURL); again.status != http.StatusBadRequest || !strings.Contains(again.body, "cannot continue") {
		t.Fatalf("denied request reopened: %d", again.status)
	}

	// Second sign-in on the same browser: the chooser lists alice; choosing
	// her goes straight to consent. (No login_hint, so the chooser shows.)
	info2, err := app.SendAuthRequest(ctx, f.meta, scopesAsked, "")
	if err != nil {
		t.Fatal(err)
	}
	authURL2 := f.meta.AuthorizationEndpoint + "?" + url.Values{"client_id": {app.Config.ClientID}, "request_uri": {info2.RequestURI}}.Encode()
	p = b.get(authURL2)
	if !strings.Contains(p.body, "Choose an account") || !strings.Contains(p.body, "alice.test") {
		t.Fatalf("chooser: %d\n%s", p.status, p.body)
	}
	p = b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info2, url.Values{"choose": {f.did.String()}}))
	if !strings.Contains(p.body, "Allow access to alice.test") {
		t.Fatalf("consent after choosing: %d\n%s", p.status, p.body)
	}
	// Another browser cannot approve for alice.
	other := newBrowser(t)
	op := other.get(authURL2)
	if r := other.post(f.meta.AuthorizationEndpoint, op.form(t, app, info2, url.Values{"action": {"approve"}, "did": {f.did.String()}})); r.status != http.StatusUnauthorized || r.location != "" {
		t.Fatalf("approve from a browser where alice is not signed in: %d %q", r.status, r.location)
	}
	// Signing out of this browser leaves no account to choose: the login
	// form shows; signing in again brings the consent page back.
	if so := b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info2, url.Values{"signout": {f.did.String()}})); !strings.Contains(so.body, "Sign in to Hearth") {
		t.Fatalf("after signing out: %d\n%s", so.status, so.body)
	}
	p = b.post(f.meta.AuthorizationEndpoint, p.form(t, app, info2, url.Values{
		"action": {"login"}, "identifier": {"alice.test"}, "password": {password},
	}))
	if !strings.Contains(p.body, "Allow access to alice.test") {
		t.Fatalf("consent after signing in again: %d\n%s", p.status, p.body)
	}
	// Approving with nothing ticked still grants atproto; the request can
	// be answered once.
	form := p.form(t, app, info2, url.Values{"action": {"approve"}, "did": {f.did.String()}})
	if r := b.post(f.meta.AuthorizationEndpoint, form); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.status)
	}
	if r := b.post(f.meta.AuthorizationEndpoint, form); r.status != http.StatusBadRequest || r.location != "" {
		t.Fatalf("second approval: %d %q", r.status, r.location)
	}
}

// TestAuthorizeBadInput: malformed authorization requests get an error
// page (never a redirect to an unchecked URI, never a 500).
func TestAuthorizeBadInput(t *testing.T) {
	f := start(t, testdb.SQLiteURL(t))
	app := f.app(scopesAsked...)
	_, info := f.begin(t.Context(), app)
	b := newBrowser(t)
	for name, q := range map[string]url.Values{
		"Nothing":         {},
		"NoRequestURI":    {"client_id": {app.Config.ClientID}},
		"UnknownRequest":  {"client_id": {app.Config.ClientID}, "request_uri": {"urn:ietf:params:oauth:request_uri:nope"}},
		"NotPushed":       {"client_id": {app.Config.ClientID}, "request_uri": {"https://evil.example/req"}},
		"OtherClient":     {"client_id": {"http://localhost"}, "request_uri": {info.RequestURI}},
		"RedirectUnasked": {"client_id": {app.Config.ClientID}, "redirect_uri": {"https://evil.example/"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := b.get(f.meta.AuthorizationEndpoint + "?" + q.Encode())
			if p.status != http.StatusBadRequest || p.location != "" || !strings.Contains(p.body, "cannot continue") {
				t.Fatalf("%d %q\n%s", p.status, p.location, p.body)
			}
		})
	}
	// A POST without the device cookie is refused.
	p := newBrowser(t).post(f.meta.AuthorizationEndpoint, url.Values{
		"client_id": {app.Config.ClientID}, "request_uri": {info.RequestURI}, "csrf_token": {"x"}, "action": {"deny"},
	})
	if p.status != http.StatusForbidden || p.location != "" {
		t.Fatalf("POST without cookie: %d %q", p.status, p.location)
	}
}

// appPassword creates a real app password for alice (refused on the login
// page, which takes the account password only).
func appPassword(t *testing.T, f *fixture) string {
	t.Helper()
	var sess struct {
		AccessJwt string `json:"accessJwt"`
	}
	f.postJSON("/xrpc/com.atproto.server.createSession", map[string]string{"identifier": "alice.test", "password": password}, &sess)
	req, _ := http.NewRequest(http.MethodPost, f.pds.URL+"/xrpc/com.atproto.server.createAppPassword", bytes.NewReader([]byte(`{"name":"oauth-test"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sess.AccessJwt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Password string `json:"password"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Password == "" {
		t.Fatalf("createAppPassword: %d %v", resp.StatusCode, err)
	}
	return out.Password
}
