package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth"
	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/proxy"
)

const (
	userDID = syntax.DID("did:plc:useruseruseruseruseruser")
	svcDID  = syntax.DID("did:plc:appviewappviewappviewapp")
)

// keySource is a KeySource over fixed keys.
type keySource map[string]atcrypto.PrivateKey

func (k keySource) SigningKey(_ context.Context, did string) (atcrypto.PrivateKey, error) {
	key, ok := k[did]
	if !ok {
		return nil, fmt.Errorf("no key for %s", did)
	}
	return key, nil
}

// env is a front server running a proxy.Handler, a mock directory holding
// the user and the service, and the service itself.
type env struct {
	dir   *identity.MockDirectory
	front *httptest.Server
	svc   proxy.Service
}

// newEnv starts upstream as the service "svcDID#bsky_appview" and a front
// server proxying to it by default. Tokens: "Bearer full" is the user with
// a full session, "Bearer app" with a plain app password.
func newEnv(t *testing.T, upstream http.Handler) *env {
	t.Helper()
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := key.PublicKey()
	up := httptest.NewServer(upstream)
	t.Cleanup(up.Close)
	dir := identity.NewMockDirectory()
	dir.Insert(identity.Identity{DID: userDID, Handle: syntax.HandleInvalid,
		Keys: map[string]identity.VerificationMethod{"atproto": {Type: "Multikey", PublicKeyMultibase: pub.Multibase()}}})
	dir.Insert(identity.Identity{DID: svcDID, Handle: syntax.HandleInvalid,
		Services: map[string]identity.ServiceEndpoint{"bsky_appview": {Type: "BskyAppView", URL: up.URL}}})
	svc := proxy.Service{DID: svcDID, ID: "bsky_appview"}
	p := proxy.New(proxy.Config{Directory: dir, Keys: keySource{userDID.String(): key}, AllowPrivate: true, Logger: slog.New(slog.DiscardHandler)})
	h := &proxy.Handler{Proxy: p, Auth: proxy.AuthFunc(testAuth), Defaults: proxy.Defaults{AppView: svc}, HTTPMethod: testMethods}
	front := httptest.NewServer(h)
	t.Cleanup(front.Close)
	return &env{dir: dir, front: front, svc: svc}
}

// testMethods knows two lexicon methods.
func testMethods(nsid string) (string, bool) {
	m, ok := map[string]string{"app.bsky.actor.getProfile": "GET", "app.bsky.feed.sendInteractions": "POST"}[nsid]
	return m, ok
}

func testAuth(r *http.Request) (proxy.Caller, error) {
	switch r.Header.Get("Authorization") {
	case "Bearer full":
		return proxy.Caller{DID: userDID, Privileged: true}, nil
	case "Bearer app":
		return proxy.Caller{DID: userDID}, nil
	}
	return proxy.Caller{}, proxy.Errorf(http.StatusUnauthorized, "AuthRequired", "Authentication Required")
}

// verify checks a request's service-auth JWT with indigo's validator.
func verify(r *http.Request, dir identity.Directory, aud syntax.DID) (syntax.DID, error) {
	nsid := syntax.NSID(strings.TrimPrefix(r.URL.Path, "/xrpc/"))
	v := auth.ServiceAuthValidator{Audience: aud.String(), Dir: dir}
	return v.Validate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), &nsid)
}

func (e *env) call(t *testing.T, method, path, token string, body io.Reader, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.front.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readError(t *testing.T, resp *http.Response) (int, string, string) {
	t.Helper()
	var out struct{ Error, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("error body: %v", err)
	}
	return resp.StatusCode, out.Error, out.Message
}

func TestForwardQuery(t *testing.T) {
	var e *env
	e = newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss, err := verify(r, e.dir, svcDID)
		if err != nil || iss != userDID {
			t.Logf("bad service auth: %v (iss %s)", err, iss)
			http.Error(w, "", http.StatusTeapot)
			return
		}
		if r.URL.RawQuery != "actor=alice.test" || r.Header.Get("Atproto-Accept-Labelers") != "did:plc:labeler" ||
			r.Header.Get("Cookie") != "" || r.Header.Get("Accept-Encoding") != "br" {
			t.Logf("headers: %s %v", r.URL.RawQuery, r.Header)
			http.Error(w, "", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Atproto-Repo-Rev", "3abc")
		w.Header().Set("X-Internal", "secret")
		_, _ = io.WriteString(w, `{"did":"did:plc:alice"}`)
	}))
	resp := e.call(t, "GET", "/xrpc/app.bsky.actor.getProfile?actor=alice.test", "app", nil,
		map[string]string{"Atproto-Accept-Labelers": "did:plc:labeler", "Cookie": "c=1", "Accept-Encoding": "br"})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"did":"did:plc:alice"}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Atproto-Repo-Rev") != "3abc" || resp.Header.Get("X-Internal") != "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("response headers: %v", resp.Header)
	}
}

func TestForwardProcedureWithHeaderTarget(t *testing.T) {
	other := syntax.DID("did:plc:otherotherotherotherothe")
	var e *env
	e = newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := verify(r, e.dir, other); err != nil {
			http.Error(w, err.Error(), http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		_, _ = io.Copy(w, r.Body)
	}))
	e.dir.Insert(identity.Identity{DID: other, Handle: syntax.HandleInvalid,
		Services: map[string]identity.ServiceEndpoint{"chat": {URL: mustLookup(t, e.dir, svcDID).GetServiceEndpoint("bsky_appview")}}})
	resp := e.call(t, "POST", "/xrpc/chat.bsky.convo.sendMessage", "full", strings.NewReader(`{"text":"hi"}`),
		map[string]string{"Content-Type": "application/json", "Atproto-Proxy": string(other) + "#chat"})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"text":"hi"}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

func mustLookup(t *testing.T, dir identity.Directory, did syntax.DID) *identity.Identity {
	t.Helper()
	ident, err := dir.LookupDID(context.Background(), did)
	if err != nil {
		t.Fatal(err)
	}
	return ident
}

func TestForwardUpstreamErrors(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("case") {
		case "500":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"error":"InternalServerError","message":"boom"}`)
		case "custom":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
			_, _ = io.WriteString(w, `{"error":"RateLimitExceeded","message":"slow down"}`)
		case "teapot":
			w.WriteHeader(418)
			_, _ = io.WriteString(w, "<html>not json</html>")
		case "notfound":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"ProfileNotFound","message":"no such actor"}`)
		}
	}))
	cases := []struct {
		query, name, msg string
		status           int
	}{
		{"500", "InternalServerError", "boom", 502},
		{"custom", "RateLimitExceeded", "slow down", 429},
		{"teapot", "InvalidRequest", "Bad Request", 400},
		{"notfound", "ProfileNotFound", "no such actor", 400},
	}
	for _, c := range cases {
		resp := e.call(t, "GET", "/xrpc/app.bsky.actor.getProfile?case="+c.query, "full", nil, nil)
		status, name, msg := readError(t, resp)
		if status != c.status || name != c.name || msg != c.msg {
			t.Errorf("%s: got %d %s %q, want %d %s %q", c.query, status, name, msg, c.status, c.name, c.msg)
		}
		if c.query == "custom" && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("retry-after not forwarded: %v", resp.Header)
		}
	}
}

func TestHandlerRefuses(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the service: %s", r.URL)
	}))
	e.dir.Insert(identity.Identity{DID: "did:plc:plainhttpplainhttpplainh", Handle: syntax.HandleInvalid,
		Services: map[string]identity.ServiceEndpoint{"x": {URL: "ftp://example.com"}}})
	cases := []struct {
		name, method, path, token, proxyTo string
		status                             int
		errName                            string
	}{
		{"protected", "GET", "/xrpc/com.atproto.server.getSession", "full", "", 400, "InvalidToken"},
		{"protected admin", "POST", "/xrpc/com.atproto.admin.deleteAccount", "full", "", 400, "InvalidToken"},
		{"protected any case", "GET", "/xrpc/com.atproto.SERVER.getSession", "full", "", 400, "InvalidToken"},
		{"no auth", "GET", "/xrpc/app.bsky.actor.getProfile", "", "", 401, "AuthRequired"},
		{"privileged for app password", "GET", "/xrpc/chat.bsky.convo.listConvos", "app", "", 400, "InvalidToken"},
		{"bad method", "PUT", "/xrpc/app.bsky.actor.getProfile", "full", "", 400, "InvalidRequest"},
		{"POST on a known query", "POST", "/xrpc/app.bsky.actor.getProfile", "full", "", 405, "InvalidRequest"},
		{"GET on a known procedure", "GET", "/xrpc/app.bsky.feed.sendInteractions", "full", "", 405, "InvalidRequest"},
		{"bad proxy header", "GET", "/xrpc/app.bsky.actor.getProfile", "full", "did:web:x", 400, "InvalidRequest"},
		{"unknown service DID", "GET", "/xrpc/app.bsky.actor.getProfile", "full", "did:plc:nobodynobodynobodynobody#x", 400, "InvalidRequest"},
		{"unknown service id", "GET", "/xrpc/app.bsky.actor.getProfile", "full", string(svcDID) + "#nope", 400, "InvalidRequest"},
		{"bad endpoint scheme", "GET", "/xrpc/app.bsky.actor.getProfile", "full", "did:plc:plainhttpplainhttpplainh#x", 400, "InvalidRequest"},
		{"no default service", "GET", "/xrpc/tools.ozone.moderation.getRepo", "full", "", 501, "MethodNotImplemented"},
		{"unknown namespace", "GET", "/xrpc/com.example.thing", "", "", 501, "MethodNotImplemented"},
	}
	for _, c := range cases {
		h := map[string]string{}
		if c.proxyTo != "" {
			h["Atproto-Proxy"] = c.proxyTo
		}
		resp := e.call(t, c.method, c.path, c.token, nil, h)
		status, name, msg := readError(t, resp)
		if status != c.status || name != c.errName {
			t.Errorf("%s: got %d %s (%s), want %d %s", c.name, status, name, msg, c.status, c.errName)
		}
	}
}

func TestForwardUnreachable(t *testing.T) {
	e := newEnv(t, http.NotFoundHandler())
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	e.dir.Insert(identity.Identity{DID: "did:plc:deaddeaddeaddeaddeaddead", Handle: syntax.HandleInvalid,
		Services: map[string]identity.ServiceEndpoint{"x": {URL: dead.URL}}})
	resp := e.call(t, "GET", "/xrpc/app.bsky.actor.getProfile", "full", nil, map[string]string{"Atproto-Proxy": "did:plc:deaddeaddeaddeaddeaddead#x"})
	if status, name, _ := readError(t, resp); status != 502 || name != "UpstreamFailure" {
		t.Errorf("got %d %s, want 502 UpstreamFailure", status, name)
	}
}

func TestClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := proxy.NewClient(false).Get(srv.URL)
	if !errors.Is(err, proxy.ErrForbiddenAddress) {
		t.Fatalf("Get(loopback) error = %v, want ErrForbiddenAddress", err)
	}
	resp, err := proxy.NewClient(true).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestDefaultRefusesHTTPEndpoints(t *testing.T) {
	dir := identity.NewMockDirectory()
	dir.Insert(identity.Identity{DID: svcDID, Handle: syntax.HandleInvalid,
		Services: map[string]identity.ServiceEndpoint{"x": {URL: "http://example.com"}, "y": {URL: "https://example.com/base"}}})
	r := proxy.Resolver{Directory: dir}
	if _, err := r.Endpoint(context.Background(), proxy.Service{DID: svcDID, ID: "x"}); err == nil {
		t.Error("http endpoint accepted without AllowPrivate")
	}
	u, err := r.Endpoint(context.Background(), proxy.Service{DID: svcDID, ID: "y"})
	if err != nil || u.String() != "https://example.com/base" {
		t.Errorf("https endpoint: %v, %v", u, err)
	}
}

func asError(err error, e **proxy.Error) bool { return errors.As(err, e) }
