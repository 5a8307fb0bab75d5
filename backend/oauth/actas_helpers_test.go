package oauth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/internal/testpds"
)

// acct is an account on a test server with a legacy session.
type acct struct {
	pds    *testpds.PDS
	did    string
	handle string
	access string // legacy access token
}

// newAccount creates handle on pds with the test password.
func newAccount(t *testing.T, pds *testpds.PDS, handle string) acct {
	t.Helper()
	var out struct {
		DID       string `json:"did"`
		AccessJwt string `json:"accessJwt"`
	}
	status, body := xrpcCall(t, pds, http.MethodPost, "com.atproto.server.createAccount", "", map[string]string{
		"handle": handle, "email": strings.SplitN(handle, ".", 2)[0] + "@example.com", "password": password,
	}, &out)
	if status != http.StatusOK {
		t.Fatalf("createAccount %s: %d %s", handle, status, body)
	}
	return acct{pds: pds, did: out.DID, handle: handle, access: out.AccessJwt}
}

// xrpcCall calls a method with an optional Bearer token; a GET sends in
// as query parameters (a map[string]string), a POST as JSON.
func xrpcCall(t *testing.T, pds *testpds.PDS, method, nsid, bearer string, in, out any) (int, string) {
	t.Helper()
	u := pds.URL + "/xrpc/" + nsid
	var body io.Reader
	if method == http.MethodGet {
		if m, ok := in.(map[string]string); ok {
			q := url.Values{}
			for k, v := range m {
				q.Set(k, v)
			}
			u += "?" + q.Encode()
		}
	} else {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, string(b)
}

// grant makes controller a controller of a with preset.
func (a acct) grant(t *testing.T, controller, preset string) {
	t.Helper()
	status, body := xrpcCall(t, a.pds, http.MethodPost, "dev.hearthpds.delegation.addController", a.access,
		map[string]string{"controller": controller, "preset": preset}, nil)
	if status != http.StatusOK {
		t.Fatalf("addController: %d %s", status, body)
	}
}

// revoke removes controller's grant.
func (a acct) revoke(t *testing.T, controller string) {
	t.Helper()
	status, body := xrpcCall(t, a.pds, http.MethodPost, "dev.hearthpds.delegation.removeController", a.access,
		map[string]string{"controller": controller}, nil)
	if status != http.StatusOK {
		t.Fatalf("removeController: %d %s", status, body)
	}
}

// auditEntry is what the tests read of getAuditLog.
type auditEntry struct {
	Controller string `json:"controller"`
	Actor      string `json:"actor"`
	Kind       string `json:"kind"`
	Detail     struct {
		ClientID string `json:"clientId"`
		Scope    string `json:"scope"`
	} `json:"detail"`
}

// audit lists a's audit entries of a kind.
func (a acct) audit(t *testing.T, kind string) []auditEntry {
	t.Helper()
	var out struct {
		Entries []auditEntry `json:"entries"`
	}
	status, body := xrpcCall(t, a.pds, http.MethodGet, "dev.hearthpds.delegation.getAuditLog", a.access, map[string]string{"kinds": kind}, &out)
	if status != http.StatusOK {
		t.Fatalf("getAuditLog: %d %s", status, body)
	}
	return out.Entries
}

// claimsOf decodes an access token's payload (no verification).
type tokenClaims struct {
	Sub   string `json:"sub"`
	Scope string `json:"scope"`
	Act   *struct {
		Sub string `json:"sub"`
	} `json:"act"`
	ClientID string `json:"client_id"`
}

func claimsOf(t *testing.T, token string) tokenClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c tokenClaims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// metaOf reads a server's authorization server metadata.
func metaOf(t *testing.T, pds *testpds.PDS) *oauth.AuthServerMetadata {
	t.Helper()
	resp, err := http.Get(pds.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m := &oauth.AuthServerMetadata{}
	if err := json.NewDecoder(resp.Body).Decode(m); err != nil {
		t.Fatal(err)
	}
	return m
}

// appFor is indigo's ClientApp for the localhost client at pds, with plain
// HTTP clients and a directory on the test PLC.
func appFor(pds *testpds.PDS, scopes ...string) *oauth.ClientApp {
	cfg := oauth.NewLocalhostConfig(callback, scopes)
	app := oauth.NewClientApp(&cfg, oauth.NewMemStore())
	app.Client = &http.Client{}
	app.Resolver.Client = &http.Client{}
	app.Dir = pds.Server.Directory()
	return app
}

// beginAt sends the app's pushed request with login_hint and returns the
// authorization URL and the request.
func beginAt(t *testing.T, ctx context.Context, pds *testpds.PDS, app *oauth.ClientApp, hint string) (string, *oauth.AuthRequestData) {
	t.Helper()
	meta := metaOf(t, pds)
	info, err := app.SendAuthRequest(ctx, meta, app.Config.Scopes, hint)
	if err != nil {
		t.Fatalf("PAR: %v", err)
	}
	did := syntax.DID(hint)
	if _, err := syntax.ParseDID(hint); err == nil {
		info.AccountDID = &did
	}
	if err := app.Store.SaveAuthRequestInfo(ctx, *info); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"client_id": {app.Config.ClientID}, "request_uri": {info.RequestURI}}
	return meta.AuthorizationEndpoint + "?" + q.Encode(), info
}

// hidden reads a hidden field of a page.
func hidden(t *testing.T, p page, name string) string {
	t.Helper()
	i := strings.Index(p.body, `name="`+name+`" value="`)
	if i < 0 {
		t.Fatalf("no %s field on the page (%d):\n%s", name, p.status, p.body)
	}
	rest := p.body[i+len(`name="`+name+`" value="`):]
	return htmlUnescape(rest[:strings.IndexByte(rest, '"')])
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// formOf returns a page's form fields (CSRF, request) plus extra.
func formOf(t *testing.T, p page, extra url.Values) url.Values {
	t.Helper()
	v := url.Values{
		"csrf_token": {hidden(t, p, "csrf_token")}, "client_id": {hidden(t, p, "client_id")},
		"request_uri": {hidden(t, p, "request_uri")},
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

// approveAs approves an act-as consent page with every offered scope.
func approveAs(t *testing.T, b *browser, endpoint string, p page) page {
	t.Helper()
	return b.post(endpoint, formOf(t, p, url.Values{
		"action": {"approve"}, "did": {hidden(t, p, "did")}, "actor": {hidden(t, p, "actor")},
		"actor_ticket": {hidden(t, p, "actor_ticket")}, "scope": scopeBoxes(p),
	}))
}

// scopeBoxes lists the ticked scope checkboxes of a consent page.
func scopeBoxes(p page) []string {
	var out []string
	rest := p.body
	for {
		i := strings.Index(rest, `name="scope" value="`)
		if i < 0 {
			return out
		}
		rest = rest[i+len(`name="scope" value="`):]
		out = append(out, htmlUnescape(rest[:strings.IndexByte(rest, '"')]))
	}
}

// dpopClient holds a DPoP key and the server's last nonce, for raw token
// requests and resource calls.
type dpopClient struct {
	t     *testing.T
	key   *atcrypto.PrivateKeyP256
	nonce string
}

func newDPoPClient(t *testing.T) *dpopClient {
	k, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	return &dpopClient{t: t, key: k}
}

// tokenRequest posts a form to a token endpoint with a DPoP proof (retrying
// once for a nonce) and returns the status and the decoded JSON.
func (d *dpopClient) tokenRequest(endpoint string, form url.Values) (int, map[string]any) {
	d.t.Helper()
	for range 2 {
		proof, err := oauth.NewAuthDPoP(http.MethodPost, endpoint, d.nonce, d.key)
		if err != nil {
			d.t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("DPoP", proof)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			d.t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if n := resp.Header.Get("DPoP-Nonce"); n != "" {
			d.nonce = n
		}
		if resp.StatusCode == http.StatusBadRequest && out["error"] == "use_dpop_nonce" {
			continue
		}
		return resp.StatusCode, out
	}
	d.t.Fatal("nonce loop")
	return 0, nil
}

// session wraps an access token bound to d's key as indigo's ClientSession
// (no refresh), to call the XRPC API.
func (d *dpopClient) session(pds *testpds.PDS, sub, access string) *oauth.ClientSession {
	cfg := oauth.NewLocalhostConfig(callback, []string{"atproto"})
	return &oauth.ClientSession{
		Client: &http.Client{}, Config: &cfg, DPoPPrivateKey: d.key,
		Data: &oauth.ClientSessionData{
			AccountDID: syntax.DID(sub), HostURL: pds.URL, AuthServerURL: pds.URL,
			AuthServerTokenEndpoint: pds.URL + "/oauth/token", AccessToken: access, DPoPHostNonce: d.nonce,
			DPoPAuthServerNonce: d.nonce, DPoPPrivateKeyMultibase: d.key.Multibase(),
		},
	}
}
