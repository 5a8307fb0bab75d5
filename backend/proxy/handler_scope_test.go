package proxy_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/proxy"
)

// TestCallerAllow: a caller's Allow check sees the method and the resolved
// service ("did#id", from the default or the atproto-proxy header); a
// refusal is sent as is and nothing reaches the service.
func TestCallerAllow(t *testing.T) {
	var reached atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(up.Close)
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	dir := identity.NewMockDirectory()
	dir.Insert(identity.Identity{DID: svcDID, Handle: syntax.HandleInvalid,
		Services: map[string]identity.ServiceEndpoint{"bsky_appview": {Type: "BskyAppView", URL: up.URL}, "other": {Type: "X", URL: up.URL}}})
	svc := proxy.Service{DID: svcDID, ID: "bsky_appview"}
	var seen [][2]string
	allow := func(lxm, aud string) error {
		seen = append(seen, [2]string{lxm, aud})
		if lxm == "app.bsky.actor.getProfile" && aud == svc.String() {
			return nil
		}
		return proxy.Errorf(http.StatusForbidden, "InsufficientScope", "calling %s needs rpc:%s", lxm, lxm)
	}
	h := &proxy.Handler{
		Proxy:    proxy.New(proxy.Config{Directory: dir, Keys: keySource{userDID.String(): key}, AllowPrivate: true, Logger: slog.New(slog.DiscardHandler)}),
		Defaults: proxy.Defaults{AppView: svc},
		Auth: proxy.AuthFunc(func(*http.Request) (proxy.Caller, error) {
			return proxy.Caller{DID: userDID, Allow: allow}, nil
		}),
	}
	front := httptest.NewServer(h)
	t.Cleanup(front.Close)
	get := func(nsid, to string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, front.URL+"/xrpc/"+nsid, nil)
		if to != "" {
			req.Header.Set("Atproto-Proxy", to)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := get("app.bsky.actor.getProfile", ""); st != http.StatusOK || reached.Load() != 1 {
		t.Fatalf("allowed call: %d, reached %d", st, reached.Load())
	}
	if st := get("app.bsky.feed.getTimeline", ""); st != http.StatusForbidden {
		t.Errorf("refused method: %d", st)
	}
	if st := get("app.bsky.actor.getProfile", svcDID.String()+"#other"); st != http.StatusForbidden {
		t.Errorf("refused service: %d", st)
	}
	if reached.Load() != 1 {
		t.Errorf("refused calls reached the service: %d calls", reached.Load())
	}
	want := [][2]string{
		{"app.bsky.actor.getProfile", svc.String()}, {"app.bsky.feed.getTimeline", svc.String()},
		{"app.bsky.actor.getProfile", svcDID.String() + "#other"},
	}
	if len(seen) != len(want) {
		t.Fatalf("Allow saw %v", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("Allow call %d = %v, want %v", i, seen[i], want[i])
		}
	}
}
