package oauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/auth/oauth"
	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/internal/testpds"
)

const (
	password = "correct horse battery staple"
	callback = "http://127.0.0.1/callback"
)

// fixture is a running Hearth with one account and an indigo OAuth client.
type fixture struct {
	t    *testing.T
	pds  *testpds.PDS
	did  syntax.DID
	meta *oauth.AuthServerMetadata
}

// start runs Hearth on the database dbURL with the account alice.test.
func start(t *testing.T, dbURL string) *fixture {
	t.Helper()
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL})
	f := &fixture{t: t, pds: pds}
	var acct struct {
		DID string `json:"did"`
	}
	f.postJSON("/xrpc/com.atproto.server.createAccount", map[string]string{
		"handle": "alice.test", "email": "alice@example.com", "password": password,
	}, &acct)
	f.did = syntax.DID(acct.DID)
	// indigo's Resolver requires https issuers without a port, so the
	// metadata of this loopback server is read directly.
	resp, err := http.Get(pds.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	f.meta = &oauth.AuthServerMetadata{}
	if err := json.NewDecoder(resp.Body).Decode(f.meta); err != nil {
		t.Fatal(err)
	}
	return f
}

// postJSON posts v and decodes the 200 answer into out.
func (f *fixture) postJSON(path string, v, out any) {
	f.t.Helper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(f.pds.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			f.t.Fatal(err)
		}
	}
}

// app returns indigo's ClientApp for the localhost development client,
// with plain HTTP clients (its defaults refuse loopback) and a directory
// on the test PLC.
func (f *fixture) app(scopes ...string) *oauth.ClientApp {
	cfg := oauth.NewLocalhostConfig(callback, scopes)
	return f.appWith(&cfg)
}

func (f *fixture) appWith(cfg *oauth.ClientConfig) *oauth.ClientApp {
	app := oauth.NewClientApp(cfg, oauth.NewMemStore())
	app.Client = &http.Client{}
	app.Resolver.Client = &http.Client{}
	app.Dir = &identity.BaseDirectory{PLCURL: f.pds.PLCURL, HTTPClient: http.Client{}}
	return app
}

// begin sends the pushed request as StartAuthFlow does for a handle, and
// returns the authorization URL and the stored request.
func (f *fixture) begin(ctx context.Context, app *oauth.ClientApp) (string, *oauth.AuthRequestData) {
	f.t.Helper()
	info, err := app.SendAuthRequest(ctx, f.meta, app.Config.Scopes, "alice.test")
	if err != nil {
		f.t.Fatalf("PAR: %v", err)
	}
	info.AccountDID = &f.did
	if err := app.Store.SaveAuthRequestInfo(ctx, *info); err != nil {
		f.t.Fatal(err)
	}
	q := url.Values{"client_id": {app.Config.ClientID}, "request_uri": {info.RequestURI}}
	return f.meta.AuthorizationEndpoint + "?" + q.Encode(), info
}

// browser is a cookie-keeping HTTP client that stops at redirects.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is a fetched page: status, body and Location.
type page struct {
	status   int
	body     string
	location string
}

func (b *browser) get(u string) page {
	b.t.Helper()
	resp, err := b.hc.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return readPage(b.t, resp)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	resp, err := b.hc.PostForm(u, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return readPage(b.t, resp)
}

func readPage(t *testing.T, resp *http.Response) page {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location")}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// form returns the page's hidden fields plus extra.
func (p page) form(t *testing.T, app *oauth.ClientApp, info *oauth.AuthRequestData, extra url.Values) url.Values {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (%d):\n%s", p.status, p.body)
	}
	v := url.Values{"csrf_token": {m[1]}, "client_id": {app.Config.ClientID}, "request_uri": {info.RequestURI}}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

// signIn drives the pages: login, then consent with the given scopes
// ticked, and returns the redirect's query.
func (f *fixture) signIn(ctx context.Context, app *oauth.ClientApp, ticked ...string) (url.Values, *oauth.AuthRequestData) {
	f.t.Helper()
	return f.signInAt(ctx, app, callback, ticked...)
}

// signInAt is signIn for a client whose redirect URI is cb.
func (f *fixture) signInAt(ctx context.Context, app *oauth.ClientApp, cb string, ticked ...string) (url.Values, *oauth.AuthRequestData) {
	f.t.Helper()
	authURL, info := f.begin(ctx, app)
	b := newBrowser(f.t)
	p := b.get(authURL)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Sign in to Hearth") {
		f.t.Fatalf("authorize page: %d\n%s", p.status, p.body)
	}
	p = b.post(f.meta.AuthorizationEndpoint, p.form(f.t, app, info, url.Values{
		"action": {"login"}, "identifier": {"alice.test"}, "password": {password},
	}))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Allow access to alice.test") {
		f.t.Fatalf("consent page: %d\n%s", p.status, p.body)
	}
	p = b.post(f.meta.AuthorizationEndpoint, p.form(f.t, app, info, url.Values{
		"action": {"approve"}, "did": {f.did.String()}, "scope": ticked,
	}))
	if p.status != http.StatusSeeOther {
		f.t.Fatalf("approve: %d\n%s", p.status, p.body)
	}
	u, err := url.Parse(p.location)
	if err != nil || !strings.HasPrefix(p.location, cb+"?") {
		f.t.Fatalf("redirect to %q", p.location)
	}
	return u.Query(), info
}

// session completes a sign-in and resumes the client session.
func (f *fixture) session(ctx context.Context, app *oauth.ClientApp, ticked ...string) *oauth.ClientSession {
	f.t.Helper()
	return f.sessionAt(ctx, app, callback, ticked...)
}

// sessionAt is session for a client whose redirect URI is cb.
func (f *fixture) sessionAt(ctx context.Context, app *oauth.ClientApp, cb string, ticked ...string) *oauth.ClientSession {
	f.t.Helper()
	q, _ := f.signInAt(ctx, app, cb, ticked...)
	data, err := app.ProcessCallback(ctx, q)
	if err != nil {
		f.t.Fatalf("callback: %v", err)
	}
	sess, err := app.ResumeSession(ctx, data.AccountDID, data.SessionID)
	if err != nil {
		f.t.Fatal(err)
	}
	return sess
}

// createPost writes a post through the session's API client.
func createPost(ctx context.Context, sess *oauth.ClientSession, text string) (string, error) {
	var out struct {
		URI string `json:"uri"`
	}
	err := sess.APIClient().Post(ctx, "com.atproto.repo.createRecord", map[string]any{
		"repo": sess.Data.AccountDID.String(), "collection": "app.bsky.feed.post",
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-01T00:00:00Z"},
	}, &out)
	return out.URI, err
}

// rawGetSession calls getSession with the session's token and the given
// DPoP proof.
func rawGetSession(t *testing.T, f *fixture, sess *oauth.ClientSession, proof string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.pds.URL+"/xrpc/com.atproto.server.getSession", nil)
	req.Header.Set("Authorization", "DPoP "+sess.Data.AccessToken)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}
