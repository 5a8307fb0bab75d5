package oauth_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
)

// TestProxiedCall: calls the proxy forwards (methods Hearth does not
// serve) take OAuth tokens too, with the same DPoP challenges.
func TestProxiedCall(t *testing.T) {
	f := start(t, testdb.SQLiteURL(t))
	sess := f.session(t.Context(), f.app(scopesAsked...), "transition:generic")
	u := f.pds.URL + "/xrpc/app.bsky.feed.getTimeline"
	call := func(proof string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "DPoP "+sess.Data.AccessToken)
		req.Header.Set("DPoP", proof)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		t.Logf("%d %s", resp.StatusCode, body)
		return resp, resp.Header.Get("WWW-Authenticate")
	}
	// Authenticated: the proxy goes on to forward (the test has no AppView,
	// so any answer but 401 means the token was accepted).
	resp, h := call(mustProof(t, sess, "GET", u))
	if resp.StatusCode == http.StatusUnauthorized {
		t.Fatalf("proxied call refused: %q", h)
	}
	sess.Data.DPoPHostNonce = ""
	resp, h = call(mustProof(t, sess, "GET", u))
	if resp.StatusCode != http.StatusUnauthorized || h == "" || resp.Header.Get("DPoP-Nonce") == "" {
		t.Fatalf("proxied call without nonce: %d %q", resp.StatusCode, h)
	}
}
