package oauth_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	hoauth "github.com/hearthpds/hearth/backend/oauth"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// actorToken mints C's service-auth JWT at C's own PDS (instance 1).
func (x *crossPDS) actorToken(aud, lxm string) string {
	x.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	status, body := xrpcCall(x.t, x.one, http.MethodGet, "com.atproto.server.getServiceAuth", x.c.access,
		map[string]string{"aud": aud, "lxm": lxm}, &out)
	if status != http.StatusOK {
		x.t.Fatalf("getServiceAuth: %d %s", status, body)
	}
	return out.Token
}

// exchangeForm is a token-exchange request acting as D with actor.
func (x *crossPDS) exchangeForm(actor, scope string) url.Values {
	v := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "client_id": {x.app.Config.ClientID},
		"subject_token": {x.d.did}, "subject_token_type": {hoauth.TokenTypeDID},
		"actor_token": {actor}, "actor_token_type": {hoauth.TokenTypeJWT},
	}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}

// TestTokenExchange is the headless act-as login and acceptance 7: C
// exchanges a fresh service-auth JWT minted by its own PDS for a DPoP-bound
// token of D at D's PDS (sub = D, act.sub = C, scope = requested ∩ grant,
// no refresh token) and writes to D's repo; wrong aud or lxm, a replayed
// jti, a token older than 60 s, a nested act, a missing DPoP proof and a
// revoked grant are refused. On both storage backends.
func TestTokenExchange(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := t.Context()
		x := startCross(t, dbURL)
		aud := x.two.Server.Config().ServiceDID.String()
		tokenURL := x.two.URL + "/oauth/token"
		d := newDPoPClient(t)

		actor := x.actorToken(aud, hoauth.ExchangeMethod)
		status, out := d.tokenRequest(tokenURL, x.exchangeForm(actor, "atproto repo:app.bsky.feed.post identity:handle"))
		if status != http.StatusOK {
			t.Fatalf("exchange: %d %v", status, out)
		}
		if out["token_type"] != "DPoP" || out["issued_token_type"] != hoauth.TokenTypeAccess || out["refresh_token"] != nil ||
			out["sub"] != x.d.did || out["expires_in"] != float64(300) {
			t.Fatalf("exchange answer %v", out)
		}
		access := out["access_token"].(string)
		cl := claimsOf(t, access)
		if cl.Sub != x.d.did || cl.Act == nil || cl.Act.Sub != x.c.did || cl.Scope != "atproto repo:app.bsky.feed.post" {
			t.Fatalf("claims %+v", cl)
		}
		sess := d.session(x.two, x.d.did, access)
		uri, err := createPost(ctx, sess, "headless")
		if err != nil || !strings.HasPrefix(uri, "at://"+x.d.did+"/app.bsky.feed.post/") {
			t.Fatalf("createRecord: %q %v", uri, err)
		}
		if issued := x.d.audit(t, store.AuditTokenIssued); len(issued) != 1 || issued[0].Controller != x.c.did {
			t.Fatalf("token.issued audit %+v", issued)
		}

		refusals := []struct {
			name, actor, want string
		}{
			{"replayed jti", actor, "already used"},
			{"wrong aud", x.actorToken("did:web:elsewhere.example.com", hoauth.ExchangeMethod), "aud"},
			{"wrong lxm", x.actorToken(aud, "com.atproto.repo.createRecord"), "lxm"},
			{"nested act", nestedAct(x.actorToken(aud, hoauth.ExchangeMethod)), "act claim"},
			{"not a JWT", "not-a-jwt", "not a service-auth JWT"},
		}
		for _, r := range refusals {
			status, out := d.tokenRequest(tokenURL, x.exchangeForm(r.actor, ""))
			desc, _ := out["error_description"].(string)
			if status != http.StatusBadRequest || out["error"] != "invalid_grant" || !strings.Contains(desc, r.want) {
				t.Errorf("%s: %d %v", r.name, status, out)
			}
		}
		// Malformed requests.
		for name, edit := range map[string]func(url.Values){
			"subject type":      func(v url.Values) { v.Set("subject_token_type", "urn:ietf:params:oauth:token-type:access_token") },
			"actor type":        func(v url.Values) { v.Set("actor_token_type", "urn:ietf:params:oauth:token-type:access_token") },
			"subject not a DID": func(v url.Values) { v.Set("subject_token", "dex.test") },
			"no actor":          func(v url.Values) { v.Del("actor_token") },
			"no atproto":        func(v url.Values) { v.Set("scope", "repo:*") },
		} {
			v := x.exchangeForm(x.actorToken(aud, hoauth.ExchangeMethod), "")
			edit(v)
			status, out := d.tokenRequest(tokenURL, v)
			if status != http.StatusBadRequest || (out["error"] != "invalid_request" && out["error"] != "invalid_scope") {
				t.Errorf("%s: %d %v", name, status, out)
			}
		}
		// No DPoP proof.
		resp, err := http.PostForm(tokenURL, x.exchangeForm(x.actorToken(aud, hoauth.ExchangeMethod), ""))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("without DPoP: %d", resp.StatusCode)
		}
		// Older than 60 seconds (by instance 2's clock).
		old := x.actorToken(aud, hoauth.ExchangeMethod)
		x.two.Server.OAuth().SetClock(func() time.Time { return time.Now().Add(61 * time.Second) })
		status, out = d.tokenRequest(tokenURL, x.exchangeForm(old, ""))
		x.two.Server.OAuth().SetClock(nil)
		if desc, _ := out["error_description"].(string); status != http.StatusBadRequest || !strings.Contains(desc, "older than 60 seconds") {
			t.Errorf("old actor token: %d %v", status, out)
		}

		// Revoking the grant ends the exchanged token and refuses new ones.
		x.d.revoke(t, x.c.did)
		if _, err := createPost(ctx, sess, "after revocation"); err == nil {
			t.Fatal("a write after the grant was revoked succeeded")
		}
		status, out = d.tokenRequest(tokenURL, x.exchangeForm(x.actorToken(aud, hoauth.ExchangeMethod), ""))
		if desc, _ := out["error_description"].(string); status != http.StatusBadRequest || !strings.Contains(desc, "no active grant") {
			t.Errorf("revoked grant: %d %v", status, out)
		}
	})
}

// nestedAct adds an act claim to a JWT's payload (the signature no longer
// matches; the act claim is refused first).
func nestedAct(token string) string {
	parts := strings.Split(token, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	b = append(b[:len(b)-1], []byte(`,"act":{"sub":"did:plc:someoneelse"}}`)...)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
}
