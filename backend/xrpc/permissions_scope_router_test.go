package xrpc_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// TestUndeclaredMethodFailsClosed: a method that authenticates users but
// is missing from the permission table refuses every user (legacy or
// OAuth), with a message naming the gap; Undeclared lists it.
func TestUndeclaredMethodFailsClosed(t *testing.T) {
	rt := xrpc.NewRouter(slog.New(slog.DiscardHandler), legacyOnlyAuth{})
	rt.SetOAuthVerifier(tokenVerifier{"full": {DID: "did:plc:alice", Scope: "atproto transition:generic transition:chat.bsky", ClientID: "https://app.example/c.json"}})
	ok := func(context.Context, *xrpc.Call) (any, error) { return map[string]bool{"ok": true}, nil }
	rt.Register(
		xrpc.Method{NSID: "com.example.undeclared", Kind: xrpc.Query, Auth: xrpc.AccessAuth, Handler: ok},
		xrpc.Method{NSID: "com.atproto.server.getSession", Kind: xrpc.Query, Auth: xrpc.AccessAuth, Handler: ok},
		xrpc.Method{NSID: "com.atproto.server.createAccount", Kind: xrpc.Procedure, Auth: xrpc.ServiceAuthOptional, Handler: ok},
	)
	if got := rt.Undeclared(); len(got) != 1 || got[0] != "com.example.undeclared" {
		t.Errorf("Undeclared = %v", got)
	}
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	call := func(method, nsid, auth string) (int, map[string]string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/xrpc/"+nsid, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out, resp.Header.Get("WWW-Authenticate")
	}
	for _, auth := range []string{"Bearer session", "DPoP full"} {
		st, out, _ := call(http.MethodGet, "com.example.undeclared", auth)
		if st != http.StatusForbidden || out["error"] != "InsufficientScope" || !strings.Contains(out["message"], "declares no permission") {
			t.Errorf("%s on an undeclared method: %d %v", auth, st, out)
		}
		if st, out, _ := call(http.MethodGet, "com.atproto.server.getSession", auth); st != http.StatusOK {
			t.Errorf("%s on a declared method: %d %v", auth, st, out)
		}
	}
	st, out, h := call(http.MethodPost, "com.atproto.server.createAccount", "DPoP full")
	if st != http.StatusForbidden || !strings.Contains(out["message"], "does not take") || !strings.Contains(h, "insufficient_scope") {
		t.Errorf("OAuth token at createAccount: %d %v %q", st, out, h)
	}
}

// legacyOnlyAuth accepts the access token "session" as a password session.
type legacyOnlyAuth struct{ noSessions }

func (legacyOnlyAuth) Access(_ context.Context, token string) (*xrpc.Viewer, error) {
	if token != "session" {
		return nil, xrpc.Errorf(http.StatusUnauthorized, "InvalidToken", "unknown token")
	}
	return &xrpc.Viewer{DID: "did:plc:alice", Scope: "com.atproto.access", Privileged: true}, nil
}
