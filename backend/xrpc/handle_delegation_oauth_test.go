package xrpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/backend/xrpc"
	"github.com/hearthpds/hearth/internal/testdb"
)

// tokenVerifier stands in for the OAuth server's resource check: each
// token names its claims. (The OAuth server tests the real check; here the
// router turns the claims into a Viewer, as it does in production.)
type tokenVerifier map[string]xrpc.OAuthClaims

func (v tokenVerifier) VerifyDPoP(_ *http.Request, token string) (xrpc.OAuthClaims, error) {
	c, ok := v[token]
	if !ok {
		return xrpc.OAuthClaims{}, &xrpc.OAuthChallenge{Code: "invalid_token", Description: "unknown token"}
	}
	return c, nil
}

// noSessions refuses every legacy token.
type noSessions struct{}

func (noSessions) Access(context.Context, string) (*xrpc.Viewer, error) {
	return nil, errors.New("no legacy sessions here")
}
func (noSessions) Refresh(context.Context, string) (*xrpc.Viewer, error) {
	return nil, errors.New("no legacy sessions here")
}
func (noSessions) AdminPassword() string { return "" }

// TestDelegationOAuthCallers: over HTTP through the router, an OAuth token
// of the account with account:*?action=manage manages delegation; one
// without is refused; an act-as token is refused whatever its scope.
func TestDelegationOAuthCallers(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		const (
			carol = "did:plc:carol0000000000000000000"
			dave  = "did:plc:dave0000000000000000000000"
			owner = "atproto repo:* blob:*/* identity:* account:*?action=manage"
		)
		st := open(t)
		for _, a := range [][2]string{{carol, "carol.test"}, {dave, "dave.test"}} {
			if _, err := st.CreateAccount(t.Context(), storetest.NewAccount(a[0], a[1])); err != nil {
				t.Fatal(err)
			}
		}
		log := slog.New(slog.DiscardHandler)
		rt := xrpc.NewRouter(log, noSessions{})
		rt.SetOAuthVerifier(tokenVerifier{
			"manage":     {DID: carol, Scope: "atproto account:*?action=manage", ClientID: "https://app.example/c.json"},
			"repo":       {DID: carol, Scope: "atproto repo:* blob:*/*", ClientID: "https://app.example/c.json"},
			"act-as":     {DID: carol, Actor: dave, Scope: owner, ClientID: "https://app.example/c.json"},
			"act-as-rpc": {DID: carol, Actor: dave, Scope: owner + " rpc:dev.hearthpds.delegation.addController?aud=*"},
		})
		rt.Register((&xrpc.DelegationHandlers{Delegation: delegation.New(delegation.Config{Store: st, Logger: log})}).Methods()...)
		srv := httptest.NewServer(rt)
		t.Cleanup(srv.Close)

		do := func(token, nsid string, body any) (int, string) {
			t.Helper()
			method, rd := http.MethodGet, &bytes.Reader{}
			if body != nil {
				b, _ := json.Marshal(body)
				method, rd = http.MethodPost, bytes.NewReader(b)
			}
			req, _ := http.NewRequest(method, srv.URL+"/xrpc/"+delegationNS+nsid, rd)
			req.Header.Set("Authorization", "DPoP "+token)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				Error string `json:"error"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out.Error
		}
		calls := []struct {
			nsid string
			body any
		}{
			{"listControllers", nil}, {"listControlledAccounts", nil}, {"getAuditLog", nil}, {"listPresets", nil},
			{"addController", map[string]any{"controller": dave, "preset": "viewer"}},
			{"updateController", map[string]any{"controller": dave, "preset": "editor"}},
			{"removeController", map[string]any{"controller": dave}},
		}
		for _, token := range []string{"repo", "act-as", "act-as-rpc"} {
			for _, c := range calls {
				if status, name := do(token, c.nsid, c.body); status != http.StatusForbidden || name != "InsufficientScope" {
					t.Errorf("%s with the %s token: %d %s", c.nsid, token, status, name)
				}
			}
		}
		if status, name := do("stolen", "listControllers", nil); status != http.StatusUnauthorized || name != "InvalidToken" {
			t.Errorf("unknown OAuth token: %d %s", status, name)
		}
		for _, c := range calls {
			if status, name := do("manage", c.nsid, c.body); status != http.StatusOK {
				t.Errorf("%s with the account's own OAuth token: %d %s", c.nsid, status, name)
			}
		}
		gs, err := st.ListDelegationGrants(t.Context(), store.DelegationGrantFilter{DelegatedDID: carol, IncludeRevoked: true})
		if err != nil || len(gs) != 1 || gs[0].Active() || gs[0].Preset != "editor" {
			t.Fatalf("grants after the OAuth calls = %+v, %v", gs, err)
		}
	})
}
