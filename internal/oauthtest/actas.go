package oauthtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"
	"github.com/bluesky-social/indigo/atproto/syntax"

	hoauth "github.com/hearthpds/hearth/backend/oauth"
)

// ActAs is the headless act-as login: the controller (signed in with the
// legacy access token controllerAccess on this server) mints a fresh
// service-auth JWT for serviceDID and the exchange method, and exchanges it
// at the token endpoint (RFC 8693) for a DPoP-bound token of subject with
// scope requested ∩ its grant. It returns the session (no refresh token)
// and the granted scope.
func (s Server) ActAs(t testing.TB, controllerAccess, serviceDID string, subject syntax.DID, requested string) (*oauth.ClientSession, string) {
	t.Helper()
	actor := s.serviceAuth(t, controllerAccess, serviceDID, hoauth.ExchangeMethod)
	key, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth.NewLocalhostConfig(Callback, strings.Fields(requested))
	form := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "client_id": {cfg.ClientID},
		"subject_token": {subject.String()}, "subject_token_type": {hoauth.TokenTypeDID},
		"actor_token": {actor}, "actor_token_type": {hoauth.TokenTypeJWT}, "scope": {requested},
	}
	endpoint := s.URL + "/oauth/token"
	var nonce string
	for range 2 {
		proof, err := oauth.NewAuthDPoP(http.MethodPost, endpoint, nonce, key)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("DPoP", proof)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		nonce = resp.Header.Get("DPoP-Nonce")
		if resp.StatusCode == http.StatusBadRequest && out["error"] == "use_dpop_nonce" {
			continue
		}
		access, _ := out["access_token"].(string)
		if resp.StatusCode != http.StatusOK || access == "" {
			t.Fatalf("oauthtest: token exchange: %d %v", resp.StatusCode, out)
		}
		scope, _ := out["scope"].(string)
		return &oauth.ClientSession{
			Client: &http.Client{}, Config: &cfg, DPoPPrivateKey: key,
			Data: &oauth.ClientSessionData{
				AccountDID: subject, HostURL: s.URL, AuthServerURL: s.URL, AuthServerTokenEndpoint: endpoint,
				AccessToken: access, DPoPHostNonce: nonce, DPoPAuthServerNonce: nonce, DPoPPrivateKeyMultibase: key.Multibase(),
			},
		}, scope
	}
	t.Fatal("oauthtest: token exchange: no usable DPoP nonce")
	return nil, ""
}

// serviceAuth mints a service-auth JWT with com.atproto.server.getServiceAuth.
func (s Server) serviceAuth(t testing.TB, access, aud, lxm string) string {
	t.Helper()
	q := url.Values{"aud": {aud}, "lxm": {lxm}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/xrpc/com.atproto.server.getServiceAuth?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	token, _ := out["token"].(string)
	if resp.StatusCode != http.StatusOK || token == "" {
		t.Fatalf("oauthtest: getServiceAuth: %d %v", resp.StatusCode, out)
	}
	return token
}
