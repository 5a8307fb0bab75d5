// Package oauthtest signs test accounts in to a running Hearth through its
// real OAuth flow — pushed request, authorization pages (login and consent,
// with a cookie jar), callback, token — with indigo's ClientApp as the
// client, and returns the DPoP-bound session to call XRPC methods with.
// It is for tests: it fails the test on any unexpected answer.
package oauthtest

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
)

// Callback is the redirect URI of the development (http://localhost)
// client the sessions use.
const Callback = "http://127.0.0.1/callback"

// Account is an account of the server, signed in with its password.
type Account struct {
	Handle   string
	Password string
	DID      syntax.DID
}

// Server is a Hearth reachable over HTTP.
type Server struct {
	URL    string // http://127.0.0.1:port
	PLCURL string // its PLC directory
}

// Session signs acct in with a development client asking for requested
// (which must hold "atproto"), ticks granted on the consent page (nil: all
// of requested) and returns the client session. Each call is a new sign-in
// with its own DPoP key.
func (s Server) Session(t testing.TB, acct Account, requested []string, granted []string) *oauth.ClientSession {
	t.Helper()
	ctx := context.Background()
	meta := s.metadata(t)
	cfg := oauth.NewLocalhostConfig(Callback, requested)
	app := oauth.NewClientApp(&cfg, oauth.NewMemStore())
	// indigo's defaults refuse loopback; the issuer is read directly since
	// its Resolver wants https without a port.
	app.Client = &http.Client{}
	app.Resolver.Client = &http.Client{}
	app.Dir = &identity.BaseDirectory{PLCURL: s.PLCURL, HTTPClient: http.Client{}}
	info, err := app.SendAuthRequest(ctx, meta, requested, acct.Handle)
	if err != nil {
		t.Fatalf("oauthtest: PAR: %v", err)
	}
	info.AccountDID = &acct.DID
	if err := app.Store.SaveAuthRequestInfo(ctx, *info); err != nil {
		t.Fatal(err)
	}
	if granted == nil {
		granted = requested
	}
	q := s.consent(t, meta, app.Config.ClientID, info.RequestURI, acct, granted)
	data, err := app.ProcessCallback(ctx, q)
	if err != nil {
		t.Fatalf("oauthtest: callback: %v", err)
	}
	sess, err := app.ResumeSession(ctx, data.AccountDID, data.SessionID)
	if err != nil {
		t.Fatalf("oauthtest: resume: %v", err)
	}
	return sess
}

// metadata reads the authorization server metadata.
func (s Server) metadata(t testing.TB) *oauth.AuthServerMetadata {
	t.Helper()
	resp, err := http.Get(s.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	meta := &oauth.AuthServerMetadata{}
	if err := json.NewDecoder(resp.Body).Decode(meta); err != nil {
		t.Fatalf("oauthtest: metadata: %v", err)
	}
	return meta
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// consent drives the pages in a cookie-keeping browser: login, then approve
// with the granted scopes ticked. It returns the redirect's query.
func (s Server) consent(t testing.TB, meta *oauth.AuthServerMetadata, clientID, requestURI string, acct Account, granted []string) url.Values {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := func(body string, extra url.Values) url.Values {
		m := csrfRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("oauthtest: no CSRF token on the page:\n%s", body)
		}
		v := url.Values{"csrf_token": {m[1]}, "client_id": {clientID}, "request_uri": {requestURI}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	authURL := meta.AuthorizationEndpoint + "?" + url.Values{"client_id": {clientID}, "request_uri": {requestURI}}.Encode()
	status, body, _ := fetch(t, hc, http.MethodGet, authURL, nil)
	if status != http.StatusOK {
		t.Fatalf("oauthtest: authorize page: %d\n%s", status, body)
	}
	status, body, _ = fetch(t, hc, http.MethodPost, meta.AuthorizationEndpoint, form(body, url.Values{
		"action": {"login"}, "identifier": {acct.Handle}, "password": {acct.Password},
	}))
	if status != http.StatusOK || !strings.Contains(body, `name="scope"`) {
		t.Fatalf("oauthtest: consent page: %d\n%s", status, body)
	}
	status, body, loc := fetch(t, hc, http.MethodPost, meta.AuthorizationEndpoint, form(body, url.Values{
		"action": {"approve"}, "did": {acct.DID.String()}, "scope": granted,
	}))
	u, err := url.Parse(loc)
	if status != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc, Callback+"?") {
		t.Fatalf("oauthtest: approve: %d to %q\n%s", status, loc, body)
	}
	return u.Query()
}

// fetch sends a GET, or a POST of form, and returns the status, the body
// and the Location header.
func fetch(t testing.TB, hc *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = hc.Get(u)
	} else {
		resp, err = hc.PostForm(u, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// Response is an XRPC answer.
type Response struct {
	Status int
	Header http.Header
	Body   map[string]any // the JSON object answered, nil otherwise
	Raw    string
}

// Call sends an XRPC request with the session's token and a DPoP proof
// (retrying once on a new nonce, as indigo does): a GET with query when
// body is nil, else a POST of body with contentType (a JSON encoding of
// body when contentType is "" and body is not []byte).
func Call(t testing.TB, sess *oauth.ClientSession, nsid string, query url.Values, contentType string, body any) Response {
	t.Helper()
	u := sess.Data.HostURL + "/xrpc/" + nsid
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	method := http.MethodGet
	var b []byte
	if body != nil {
		method = http.MethodPost
		switch v := body.(type) {
		case []byte:
			b = v
		default:
			var err error
			if b, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
			if contentType == "" {
				contentType = "application/json"
			}
		}
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	} else if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := sess.DoWithAuth(http.DefaultClient, req, syntax.NSID(nsid))
	if err != nil {
		t.Fatalf("oauthtest: %s: %v", nsid, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := Response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}
