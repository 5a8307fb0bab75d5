package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"

	"github.com/hearthpds/hearth/internal/testdb"
)

// serveClient publishes a client metadata document on 127.0.0.1 (allowed
// because the test server itself runs on loopback: AllowHTTPClients) and
// returns the client's config; confidential adds a private_key_jwt key.
func serveClient(t *testing.T, confidential bool, edit func(*oauth.ClientMetadata)) *oauth.ClientConfig {
	t.Helper()
	var (
		meta oauth.ClientMetadata
		jwks oauth.JWKS
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/client-metadata.json":
			_ = json.NewEncoder(w).Encode(meta)
		case "/jwks.json":
			_ = json.NewEncoder(w).Encode(jwks)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	cfg := oauth.NewPublicConfig(ts.URL+"/client-metadata.json", ts.URL+"/callback", scopesAsked)
	if confidential {
		key, err := atcrypto.GeneratePrivateKeyP256()
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.SetClientSecret(key, "key-1"); err != nil {
			t.Fatal(err)
		}
	}
	meta = cfg.ClientMetadata()
	if confidential {
		jwks = cfg.PublicJWKS()
		meta.JWKS = &jwks
	}
	if edit != nil {
		edit(&meta)
	}
	return &cfg
}

// TestConfidentialClient: a private_key_jwt client with metadata served
// over loopback HTTP signs in, writes, refreshes; without its assertion it
// is refused.
func TestConfidentialClient(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := t.Context()
		f := start(t, dbURL(t))
		cfg := serveClient(t, true, nil)
		app := f.appWith(cfg)
		sess := f.sessionAt(ctx, app, cfg.CallbackURL, "transition:generic")
		if _, err := createPost(ctx, sess, "from a confidential client"); err != nil {
			t.Fatalf("createRecord: %v", err)
		}
		if _, err := sess.RefreshTokens(ctx); err != nil {
			t.Fatalf("refresh: %v", err)
		}

		// Keys may come from jwks_uri instead.
		byURI := serveClient(t, true, func(m *oauth.ClientMetadata) {
			u := strings.TrimSuffix(m.ClientID, "client-metadata.json") + "jwks.json"
			m.JWKS, m.JWKSURI = nil, &u
		})
		if _, err := createPost(ctx, f.sessionAt(ctx, f.appWith(byURI), byURI.CallbackURL, "transition:generic"), "keys by jwks_uri"); err != nil {
			t.Fatalf("createRecord (jwks_uri client): %v", err)
		}

		// The same client_id without its key is refused at PAR.
		public := *cfg
		public.PrivateKey, public.KeyID = nil, nil
		_, err := f.appWith(&public).SendAuthRequest(ctx, f.meta, scopesAsked, "")
		if err == nil || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("PAR without client assertion: %v", err)
		}
	})
}

// TestBadClientMetadata: documents that break the rules are refused at PAR
// with invalid_client.
func TestBadClientMetadata(t *testing.T) {
	f := start(t, testdb.SQLiteURL(t))
	for name, edit := range map[string]func(*oauth.ClientMetadata){
		"OtherClientID":   func(m *oauth.ClientMetadata) { m.ClientID = "https://elsewhere.example/client.json" },
		"NoDPoP":          func(m *oauth.ClientMetadata) { m.DPoPBoundAccessTokens = false },
		"NoAtproto":       func(m *oauth.ClientMetadata) { m.Scope = "transition:generic" },
		"NoCodeResponse":  func(m *oauth.ClientMetadata) { m.ResponseTypes = []string{"token"} },
		"NoRedirects":     func(m *oauth.ClientMetadata) { m.RedirectURIs = nil },
		"BadAuthMethod":   func(m *oauth.ClientMetadata) { m.TokenEndpointAuthMethod = "client_secret_basic" },
		"NoAuthMethod":    func(m *oauth.ClientMetadata) { m.TokenEndpointAuthMethod = "" },
		"KeyJWTNoKeys":    func(m *oauth.ClientMetadata) { m.TokenEndpointAuthMethod = "private_key_jwt" },
		"BadAppType":      func(m *oauth.ClientMetadata) { s := "desktop"; m.ApplicationType = &s },
		"ForeignRedirect": func(m *oauth.ClientMetadata) { m.RedirectURIs = []string{"http://example.com/cb"} },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := serveClient(t, false, edit)
			_, err := f.appWith(cfg).SendAuthRequest(t.Context(), f.meta, scopesAsked, "")
			if err == nil || !strings.Contains(err.Error(), "invalid_client") {
				t.Fatalf("PAR: %v", err)
			}
		})
	}
}
