package oauth_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/auth/oauth"

	"github.com/hearthpds/hearth/internal/testdb"
)

var scopesAsked = []string{"atproto", "transition:generic", "transition:chat.bsky"}

// TestFlow: PAR → authorize → login → consent (one scope unticked) →
// callback → token → a DPoP-bound createRecord; then refresh (rotation)
// and revocation. On both storage backends.
func TestFlow(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := t.Context()
		f := start(t, dbURL(t))
		app := f.app(scopesAsked...)
		q, _ := f.signIn(ctx, app, "transition:generic")
		if q.Get("iss") != f.pds.URL || q.Get("code") == "" || q.Get("state") == "" {
			t.Fatalf("callback query %v", q)
		}
		data, err := app.ProcessCallback(ctx, q)
		if err != nil {
			t.Fatalf("callback: %v", err)
		}
		if data.AccountDID != f.did || !slices.Equal(data.Scopes, []string{"atproto", "transition:generic"}) {
			t.Fatalf("session %s scopes %v", data.AccountDID, data.Scopes)
		}
		sess, err := app.ResumeSession(ctx, data.AccountDID, data.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		uri, err := createPost(ctx, sess, "hello over OAuth")
		if err != nil {
			t.Fatalf("createRecord: %v", err)
		}
		if !strings.HasPrefix(uri, "at://"+f.did.String()+"/app.bsky.feed.post/") {
			t.Fatalf("uri %q", uri)
		}
		var rec struct {
			Value map[string]any `json:"value"`
		}
		resp, err := http.Get(f.pds.URL + "/xrpc/com.atproto.repo.getRecord?repo=" + f.did.String() +
			"&collection=app.bsky.feed.post&rkey=" + uri[strings.LastIndex(uri, "/")+1:])
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("getRecord: %v %v", err, resp)
		}
		resp.Body.Close()
		_ = rec

		// Refresh rotates: new tokens, and writing still works.
		oldAccess, oldRefresh := sess.Data.AccessToken, sess.Data.RefreshToken
		if _, err := sess.RefreshTokens(ctx); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if sess.Data.AccessToken == oldAccess || sess.Data.RefreshToken == oldRefresh {
			t.Fatal("refresh did not rotate the tokens")
		}
		if _, err := createPost(ctx, sess, "after refresh"); err != nil {
			t.Fatalf("createRecord after refresh: %v", err)
		}

		// Revocation ends the session: the access token and the refresh
		// token stop working.
		if err := sess.RevokeSession(ctx); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		resp2, body := rawGetSession(t, f, sess, mustProof(t, sess, "GET", f.pds.URL+"/xrpc/com.atproto.server.getSession"))
		if resp2.StatusCode != http.StatusUnauthorized || !strings.Contains(resp2.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("after revocation: %d %s %s", resp2.StatusCode, resp2.Header.Get("WWW-Authenticate"), body)
		}
		if _, err := sess.RefreshTokens(ctx); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("refresh after revocation: %v", err)
		}
	})
}

// mustProof builds a resource-server DPoP proof as the session does.
func mustProof(t *testing.T, sess *oauth.ClientSession, method, u string) string {
	t.Helper()
	p, err := sess.NewHostDPoP(method, u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRefusals: each of the refused cases the issue lists.
func TestRefusals(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) { refusals(t, start(t, dbURL(t))) })
}

func refusals(t *testing.T, f *fixture) {
	getSession := f.pds.URL + "/xrpc/com.atproto.server.getSession"

	t.Run("ReplayedProof", func(t *testing.T) {
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		proof := mustProof(t, sess, "GET", getSession)
		if resp, body := rawGetSession(t, f, sess, proof); resp.StatusCode != http.StatusOK {
			t.Fatalf("first use: %d %s", resp.StatusCode, body)
		}
		resp, body := rawGetSession(t, f, sess, proof)
		wantChallenge(t, resp, body, "invalid_dpop_proof", "replayed")
	})
	t.Run("WrongHTU", func(t *testing.T) {
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		resp, body := rawGetSession(t, f, sess, mustProof(t, sess, "GET", f.pds.URL+"/xrpc/com.atproto.server.describeServer"))
		wantChallenge(t, resp, body, "invalid_dpop_proof", "htu")
	})
	t.Run("MissingNonce", func(t *testing.T) {
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		sess.Data.DPoPHostNonce = ""
		resp, body := rawGetSession(t, f, sess, mustProof(t, sess, "GET", getSession))
		wantChallenge(t, resp, body, "use_dpop_nonce", "nonce")
		if resp.Header.Get("DPoP-Nonce") == "" {
			t.Fatal("no DPoP-Nonce header")
		}
	})
	t.Run("MissingProof", func(t *testing.T) {
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		resp, body := rawGetSession(t, f, sess, "")
		wantChallenge(t, resp, body, "invalid_dpop_proof", "missing")
	})
	t.Run("UploadBlob", func(t *testing.T) {
		// uploadBlob (access or service auth) takes an OAuth token too.
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		u := f.pds.URL + "/xrpc/com.atproto.repo.uploadBlob"
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader("hello blob"))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "DPoP "+sess.Data.AccessToken)
		req.Header.Set("DPoP", mustProof(t, sess, "POST", u))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("uploadBlob: %d", resp.StatusCode)
		}
	})
	t.Run("AsBearer", func(t *testing.T) {
		// Without its DPoP proof, an OAuth token is not a bearer token.
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		req, _ := http.NewRequest(http.MethodGet, getSession, nil)
		req.Header.Set("Authorization", "Bearer "+sess.Data.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("OAuth token as Bearer: %d", resp.StatusCode)
		}
	})
	t.Run("PKCEMismatch", func(t *testing.T) {
		ctx := t.Context()
		app := f.app(scopesAsked...)
		q, info := f.signIn(ctx, app, "transition:generic")
		info.PKCEVerifier = strings.Repeat("x", 50)
		if err := app.Store.DeleteAuthRequestInfo(ctx, info.State); err != nil {
			t.Fatal(err)
		}
		if err := app.Store.SaveAuthRequestInfo(ctx, *info); err != nil {
			t.Fatal(err)
		}
		if _, err := app.ProcessCallback(ctx, q); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("callback with a wrong verifier: %v", err)
		}
	})
	t.Run("ReusedCode", func(t *testing.T) {
		ctx := t.Context()
		app := f.app(scopesAsked...)
		q, info := f.signIn(ctx, app, "transition:generic")
		data, err := app.ProcessCallback(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.SendInitialTokenRequest(ctx, q.Get("code"), *info); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("second use of the code: %v", err)
		}
		// The tokens of the first use are revoked.
		sess, err := app.ResumeSession(ctx, data.AccountDID, data.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := rawGetSession(t, f, sess, mustProof(t, sess, "GET", getSession))
		wantChallenge(t, resp, body, "invalid_token", "revoked")
	})
	t.Run("ExpiredToken", func(t *testing.T) {
		sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
		f.pds.Server.OAuth().SetClock(func() time.Time { return time.Now().Add(16 * time.Minute) })
		defer f.pds.Server.OAuth().SetClock(nil)
		resp, body := rawGetSession(t, f, sess, mustProof(t, sess, "GET", getSession))
		wantChallenge(t, resp, body, "invalid_token", "expired")
		if !strings.Contains(body, "ExpiredToken") {
			t.Fatalf("body %s", body)
		}
	})
	t.Run("RefreshReuse", func(t *testing.T) {
		ctx := t.Context()
		sess := f.session(ctx, f.app(scopesAsked...), "transition:generic")
		stale := *sess.Data
		if _, err := sess.RefreshTokens(ctx); err != nil {
			t.Fatal(err)
		}
		replay := &oauth.ClientSession{Client: sess.Client, Config: sess.Config, Data: &stale, DPoPPrivateKey: sess.DPoPPrivateKey}
		if _, err := replay.RefreshTokens(ctx); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("reused refresh token: %v", err)
		}
		// The reuse revoked the whole family: the current tokens die too.
		if _, err := sess.RefreshTokens(ctx); err == nil {
			t.Fatal("refresh after reuse detection succeeded")
		}
		resp, body := rawGetSession(t, f, sess, mustProof(t, sess, "GET", getSession))
		wantChallenge(t, resp, body, "invalid_token", "revoked")
	})
	t.Run("UnregisteredRedirect", func(t *testing.T) {
		cfg := oauth.NewLocalhostConfig(callback, scopesAsked)
		cfg.CallbackURL = "http://127.0.0.1/elsewhere"
		app := f.appWith(&cfg)
		_, err := app.SendAuthRequest(t.Context(), f.meta, scopesAsked, "")
		if err == nil || !strings.Contains(err.Error(), "invalid_request") {
			t.Fatalf("PAR with an unregistered redirect_uri: %v", err)
		}
	})
	t.Run("PARWithoutDPoP", func(t *testing.T) {
		cfg := oauth.NewLocalhostConfig(callback, scopesAsked)
		resp, err := http.PostForm(f.meta.PushedAuthorizationRequestEndpoint, map[string][]string{
			"client_id": {cfg.ClientID}, "response_type": {"code"}, "redirect_uri": {callback}, "scope": {"atproto"},
			"state": {"s"}, "code_challenge": {oauth.S256CodeChallenge(strings.Repeat("v", 50))}, "code_challenge_method": {"S256"},
		})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("DPoP-Nonce") == "" {
			t.Fatalf("PAR without DPoP: %d", resp.StatusCode)
		}
	})
}

// wantChallenge checks a 401 DPoP challenge with error code and a
// description containing substr.
func wantChallenge(t *testing.T, resp *http.Response, body, code, substr string) {
	t.Helper()
	h := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(h, "DPoP ") || !strings.Contains(h, `error="`+code+`"`) {
		t.Fatalf("got %d %q %s, want 401 DPoP error=%s", resp.StatusCode, h, body, code)
	}
	if !strings.Contains(strings.ToLower(body), substr) {
		t.Fatalf("body %s does not mention %q", body, substr)
	}
}
