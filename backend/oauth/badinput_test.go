package oauth_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"

	"github.com/hearthpds/hearth/internal/testdb"
)

// endpointCase is one bad request to a JSON endpoint.
type endpointCase struct {
	name   string
	form   url.Values
	proof  string // "" valid with nonce, "none", "nonce-less", "garbage", "wrong-htm"
	ctype  string
	status int
	code   string
}

// TestEndpointBadInput: the PAR, token and revocation endpoints answer bad
// input with the RFC 6749/9449 error and status, as JSON, never a 500.
func TestEndpointBadInput(t *testing.T) {
	f := start(t, testdb.SQLiteURL(t))
	key, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	nonce := currentNonce(t, f)
	client := oauth.NewLocalhostConfig(callback, scopesAsked).ClientID
	challenge := oauth.S256CodeChallenge(strings.Repeat("v", 50))
	par := func(kv ...string) url.Values {
		v := url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {callback},
			"scope": {"atproto transition:generic"}, "state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	run := func(t *testing.T, endpoint string, cases []endpointCase) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := tc.form.Encode()
				req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
				ct := tc.ctype
				if ct == "" {
					ct = "application/x-www-form-urlencoded"
				}
				req.Header.Set("Content-Type", ct)
				switch tc.proof {
				case "":
					req.Header.Set("DPoP", mustAuthDPoP(t, "POST", endpoint, nonce, key))
				case "nonce-less":
					req.Header.Set("DPoP", mustAuthDPoP(t, "POST", endpoint, "", key))
				case "wrong-htm":
					req.Header.Set("DPoP", mustAuthDPoP(t, "GET", endpoint, nonce, key))
				case "garbage":
					req.Header.Set("DPoP", "not.a.jwt")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				var out map[string]string
				if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != tc.status || out["error"] != tc.code || out["error_description"] == "" {
					t.Fatalf("got %d %s, want %d %s", resp.StatusCode, raw, tc.status, tc.code)
				}
				if resp.Header.Get("DPoP-Nonce") == "" {
					t.Fatal("no DPoP-Nonce header")
				}
			})
		}
	}
	t.Run("PAR", func(t *testing.T) {
		run(t, f.meta.PushedAuthorizationRequestEndpoint, []endpointCase{
			{"NoDPoP", par(), "none", "", 400, "invalid_dpop_proof"},
			{"GarbageDPoP", par(), "garbage", "", 400, "invalid_dpop_proof"},
			{"WrongHTM", par(), "wrong-htm", "", 400, "invalid_dpop_proof"},
			{"NoNonce", par(), "nonce-less", "", 400, "use_dpop_nonce"},
			{"JSONBody", par(), "", "application/json", 400, "invalid_request"},
			{"NoClient", par("client_id", ""), "", "", 400, "invalid_request"},
			{"ClientNotURL", par("client_id", "my-app"), "", "", 400, "invalid_client"},
			{"ClientUnreachable", par("client_id", "http://127.0.0.1:1/client.json"), "", "", 400, "invalid_client"},
			{"ClientPlainHTTPPublic", par("client_id", "http://app.example/client.json"), "", "", 400, "invalid_client"},
			{"LocalhostWithPort", par("client_id", "http://localhost:8080/"), "", "", 400, "invalid_client"},
			{"TokenResponse", par("response_type", "token"), "", "", 400, "unsupported_response_type"},
			{"NoPKCE", par("code_challenge", ""), "", "", 400, "invalid_request"},
			{"PlainPKCE", par("code_challenge_method", "plain"), "", "", 400, "invalid_request"},
			{"ShortChallenge", par("code_challenge", "abc"), "", "", 400, "invalid_request"},
			{"NoState", par("state", ""), "", "", 400, "invalid_request"},
			{"NoAtproto", par("scope", "transition:generic"), "", "", 400, "invalid_scope"},
			{"UndeclaredScope", par("scope", "atproto transition:email"), "", "", 400, "invalid_scope"},
			{"OtherRedirect", par("redirect_uri", "http://127.0.0.1/other"), "", "", 400, "invalid_request"},
			{"RequestObject", par("request", "eyJ"), "", "", 400, "invalid_request"},
			{"BadResponseMode", par("response_mode", "form_post"), "", "", 400, "invalid_request"},
			{"PublicWithAssertion", par("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", "x.y.z"), "", "", 400, "invalid_client"},
			{"ClientSecret", par("client_secret", "s3cret"), "", "", 400, "invalid_client"},
			{"RepeatedState", url.Values{"client_id": {client}, "state": {"a", "b"}}, "", "", 400, "invalid_request"},
		})
	})
	t.Run("ChallengeReuse", func(t *testing.T) {
		form := par("code_challenge", oauth.S256CodeChallenge(strings.Repeat("w", 50)))
		for i, want := range []int{http.StatusCreated, http.StatusBadRequest} {
			req, _ := http.NewRequest(http.MethodPost, f.meta.PushedAuthorizationRequestEndpoint, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("DPoP", mustAuthDPoP(t, "POST", f.meta.PushedAuthorizationRequestEndpoint, nonce, key))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Fatalf("PAR %d: %d %s, want %d", i+1, resp.StatusCode, raw, want)
			}
		}
	})
	t.Run("Token", func(t *testing.T) {
		tok := func(kv ...string) url.Values {
			v := url.Values{"client_id": {client}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		run(t, f.meta.TokenEndpoint, []endpointCase{
			{"NoGrant", tok(), "", "", 400, "unsupported_grant_type"},
			{"PasswordGrant", tok("grant_type", "password"), "", "", 400, "unsupported_grant_type"},
			{"NoDPoP", tok("grant_type", "authorization_code", "code", "c", "code_verifier", "v"), "none", "", 400, "invalid_dpop_proof"},
			{"NoNonce", tok("grant_type", "refresh_token", "refresh_token", "r"), "nonce-less", "", 400, "use_dpop_nonce"},
			{"NoClient", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"r"}}, "", "", 400, "invalid_request"},
			{"UnknownCode", tok("grant_type", "authorization_code", "code", "nope", "code_verifier", strings.Repeat("v", 50)), "", "", 400, "invalid_grant"},
			{"NoVerifier", tok("grant_type", "authorization_code", "code", "nope"), "", "", 400, "invalid_request"},
			{"UnknownRefresh", tok("grant_type", "refresh_token", "refresh_token", "nope"), "", "", 400, "invalid_grant"},
			{"NoRefresh", tok("grant_type", "refresh_token"), "", "", 400, "invalid_request"},
			{"BadClient", tok("grant_type", "refresh_token", "refresh_token", "r", "client_id", "ftp://x"), "", "", 400, "invalid_client"},
		})
	})
	t.Run("Revoke", func(t *testing.T) {
		run(t, f.meta.RevocationEndpoint, []endpointCase{
			{"NoToken", url.Values{"client_id": {client}}, "none", "", 400, "invalid_request"},
			{"BadClient", url.Values{"client_id": {"nope"}, "token": {"t"}}, "none", "", 400, "invalid_client"},
		})
		resp, err := http.PostForm(f.meta.RevocationEndpoint, url.Values{"client_id": {client}, "token": {"unknown"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoking an unknown token: %d (RFC 7009 wants 200)", resp.StatusCode)
		}
	})
}

// currentNonce reads the server's DPoP nonce from a refused request.
func currentNonce(t *testing.T, f *fixture) string {
	t.Helper()
	resp, err := http.PostForm(f.meta.TokenEndpoint, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	n := resp.Header.Get("DPoP-Nonce")
	if n == "" {
		t.Fatal("no DPoP-Nonce header")
	}
	return n
}

func mustAuthDPoP(t *testing.T, method, u, nonce string, key atcrypto.PrivateKey) string {
	t.Helper()
	p, err := oauth.NewAuthDPoP(method, u, nonce, key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
