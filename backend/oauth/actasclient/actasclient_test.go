package actasclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// The exchange and the calls against real servers are tested in
// app/actas_test.go; these are the refusals a fake server can show.

const testDID = syntax.DID("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")

type fakeDir struct{ pds string }

func (d fakeDir) LookupDID(_ context.Context, did syntax.DID) (*identity.Identity, error) {
	if did != testDID {
		return nil, identity.ErrDIDNotFound
	}
	return &identity.Identity{
		DID: did, Handle: syntax.HandleInvalid, AlsoKnownAs: []string{"at://dave.test"},
		Services: map[string]identity.ServiceEndpoint{"atproto_pds": {Type: "AtprotoPersonalDataServer", URL: d.pds}},
	}, nil
}

// fakePDS serves the discovery documents; meta edits the authorization
// server's metadata.
func fakePDS(t *testing.T, meta func(base string, m map[string]any)) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-protected-resource", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"resource": srv.URL, "authorization_servers": []string{srv.URL}})
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		m := map[string]any{
			"issuer": srv.URL, "token_endpoint": srv.URL + "/oauth/token", "revocation_endpoint": srv.URL + "/oauth/revoke",
			"grant_types_supported":             []string{"authorization_code", GrantTokenExchange},
			"dpop_signing_alg_values_supported": []string{"ES256"},
		}
		if meta != nil {
			meta(srv.URL, m)
		}
		_ = json.NewEncoder(w).Encode(m)
	})
	mux.HandleFunc("GET /xrpc/com.atproto.server.describeServer", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"did": "did:web:pds.example"})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscover(t *testing.T) {
	srv := fakePDS(t, nil)
	c := New(Options{Directory: fakeDir{pds: srv.URL + "/"}})
	got, err := c.Discover(context.Background(), testDID)
	if err != nil {
		t.Fatal(err)
	}
	want := Target{
		DID: testDID, Handle: "dave.test", PDS: srv.URL, ServiceDID: "did:web:pds.example", Issuer: srv.URL,
		TokenEndpoint: srv.URL + "/oauth/token", RevocationEndpoint: srv.URL + "/oauth/revoke",
	}
	if got != want {
		t.Fatalf("target = %+v\nwant     %+v", got, want)
	}
	if _, err := c.Discover(context.Background(), "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown DID: %v", err)
	}
}

func TestDiscoverRefusals(t *testing.T) {
	cases := map[string]func(base string, m map[string]any){
		"issuer differs":      func(_ string, m map[string]any) { m["issuer"] = "https://elsewhere.example" },
		"no token exchange":   func(_ string, m map[string]any) { m["grant_types_supported"] = []string{"authorization_code"} },
		"no ES256":            func(_ string, m map[string]any) { m["dpop_signing_alg_values_supported"] = []string{"RS256"} },
		"plain http endpoint": func(_ string, m map[string]any) { m["token_endpoint"] = "http://pds.example/oauth/token" },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			srv := fakePDS(t, edit)
			_, err := New(Options{Directory: fakeDir{pds: srv.URL}}).Discover(context.Background(), testDID)
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("err = %v; want ErrUnsupported", err)
			}
		})
	}
	// A PDS on plain http that is not loopback is refused before any request.
	_, err := New(Options{Directory: fakeDir{pds: "http://pds.example"}}).Discover(context.Background(), testDID)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "not an https URL") {
		t.Fatalf("plain http PDS: %v", err)
	}
}

func TestErrorKinds(t *testing.T) {
	cases := []struct {
		err  error
		want error
	}{
		{&ExchangeError{Status: 400, Code: "invalid_grant", Description: "did:plc:c has no active grant to act as did:plc:d"}, ErrNoGrant},
		{&ExchangeError{Status: 400, Code: "invalid_grant", Description: "the actor token's issuer could not be resolved"}, ErrActorUnresolved},
		{&XRPCError{Status: 401, Name: "InvalidToken"}, ErrTokenRejected},
		{&XRPCError{Status: 401, Name: "ExpiredToken"}, ErrTokenRejected},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%v: want it to be %v", c.err, c.want)
		}
	}
	for _, err := range []error{
		&ExchangeError{Status: 400, Code: "invalid_request", Description: "no active grant"},
		&XRPCError{Status: 403, Name: "InsufficientScope"},
		&XRPCError{Status: 400, Name: "InvalidToken"},
	} {
		if errors.Is(err, ErrNoGrant) || errors.Is(err, ErrTokenRejected) {
			t.Errorf("%v: misread", err)
		}
	}
}

// TestCallNonce: a call asked for a DPoP nonce is sent again once with it,
// with the token and a proof; an XRPC error comes back typed.
func TestCallNonce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Header.Get("Authorization") != "DPoP the-token" || r.Header.Get("DPoP") == "" {
			t.Errorf("call %d: headers %v", n, r.Header)
		}
		w.Header().Set("DPoP-Nonce", "nonce-1")
		switch {
		case n == 1:
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"UseDpopNonce","message":"nonce"}`))
		case r.URL.Path == "/xrpc/com.example.refused":
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":"InsufficientScope","message":"needs repo:x"}`))
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	key := mustKey(t)
	s := &Session{Target: Target{DID: testDID, PDS: srv.URL, Issuer: srv.URL}, hc: srv.Client(), token: "the-token", key: key}
	var out struct{ OK bool }
	if err := s.Call(context.Background(), "com.example.ok", nil, map[string]any{"a": 1}, &out); err != nil || !out.OK {
		t.Fatalf("call: %+v, %v", out, err)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d; want the nonce retry", calls.Load())
	}
	var xe *XRPCError
	if err := s.Call(context.Background(), "com.example.refused", nil, nil, nil); !errors.As(err, &xe) || xe.Name != "InsufficientScope" {
		t.Fatalf("refused: %v", err)
	}
	if strings.Contains(xe.Error(), "the-token") {
		t.Fatal("the token is in an error")
	}
}

func mustKey(t *testing.T) atcrypto.PrivateKey {
	t.Helper()
	k, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
