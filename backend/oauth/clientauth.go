package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// Client authentication methods as stored with requests and tokens.
const authNone = "none"

// assertionClaims are a client assertion's claims (RFC 7523).
type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Exp json.Number     `json:"exp"`
	Iat json.Number     `json:"iat"`
	JTI string          `json:"jti"`
}

// maxAssertionLife bounds a client assertion's exp.
const maxAssertionLife = 10 * time.Minute

// authenticateClient checks the request's client authentication against
// the client's declared method and returns what to record: "none" or
// "private_key_jwt:<key thumbprint>".
func (s *Server) authenticateClient(ctx context.Context, r *http.Request, c *client) (string, error) {
	typ, err := single(r, "client_assertion_type")
	if err != nil {
		return "", err
	}
	assertion, err := single(r, "client_assertion")
	if err != nil {
		return "", err
	}
	if secret, _ := single(r, "client_secret"); secret != "" {
		return "", invalidClient("client secrets are not used; authenticate with private_key_jwt")
	}
	if !c.confidential() {
		if typ != "" || assertion != "" {
			return "", invalidClient("this client is public (token_endpoint_auth_method none) and must not send a client assertion")
		}
		return authNone, nil
	}
	if typ != clientAssertionJWT || assertion == "" {
		return "", invalidClient("this client authenticates with private_key_jwt: send client_assertion_type %s and a client_assertion", clientAssertionJWT)
	}
	kid, err := s.verifyAssertion(ctx, c, assertion)
	if err != nil {
		return "", err
	}
	return "private_key_jwt:" + kid, nil
}

// verifyAssertion checks a client assertion JWT and returns the
// thumbprint of the key that signed it.
func (s *Server) verifyAssertion(ctx context.Context, c *client, assertion string) (string, error) {
	t, err := parseJWS(assertion)
	if err != nil {
		return "", invalidClient("client_assertion: %v", err)
	}
	var key *jwk
	for i := range c.Keys {
		k := &c.Keys[i]
		if t.header.Kid != "" && k.Kid != t.header.Kid {
			continue
		}
		pub, _ := k.publicKey() // checked when the keys were loaded
		if t.verifyES256(pub) == nil {
			key = k
			break
		}
	}
	if key == nil {
		return "", invalidClient("client_assertion: no key of the client's JWKS verifies it")
	}
	var cl assertionClaims
	if err := t.claims(&cl); err != nil {
		return "", invalidClient("client_assertion: %v", err)
	}
	if cl.Iss != c.ID || cl.Sub != c.ID {
		return "", invalidClient("client_assertion: iss and sub must be the client_id")
	}
	if !s.audienceOK(cl.Aud) {
		return "", invalidClient("client_assertion: aud must be this server's issuer %s", s.cfg.Issuer)
	}
	now := s.clock()
	exp, errExp := cl.Exp.Int64()
	if errExp != nil || !time.Unix(exp, 0).After(now) || time.Unix(exp, 0).After(now.Add(maxAssertionLife)) {
		return "", invalidClient("client_assertion: exp missing, past, or too far ahead")
	}
	if iat, err := cl.Iat.Int64(); err != nil || time.Unix(iat, 0).After(now.Add(proofMaxSkew)) {
		return "", invalidClient("client_assertion: iat missing or in the future")
	}
	if cl.JTI == "" || len(cl.JTI) > 256 {
		return "", invalidClient("client_assertion: jti missing or too long")
	}
	err = s.cfg.Store.UseNonce(ctx, "client-assertion:"+c.ID+":"+cl.JTI, time.Unix(exp, 0).Add(time.Minute))
	if errors.Is(err, store.ErrConflict) {
		return "", invalidClient("client_assertion: replayed (jti already used)")
	}
	if err != nil {
		return "", err
	}
	return key.thumbprint(), nil
}

// audienceOK accepts an aud (string or array) naming the issuer or one of
// its endpoints.
func (s *Server) audienceOK(raw json.RawMessage) bool {
	var auds []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw, &auds) != nil {
		return false
	}
	ok := []string{s.cfg.Issuer, s.cfg.Issuer + "/", s.endpoint(pathPAR), s.endpoint(pathToken), s.endpoint(pathRevoke)}
	return slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(ok, a) })
}

// sameClientAuth checks that a token request authenticated as the session
// began: the same method and, for private_key_jwt, the same key, which
// must still be in the client's metadata.
func sameClientAuth(recorded, now string) error {
	if recorded == now {
		return nil
	}
	if strings.HasPrefix(recorded, "private_key_jwt:") && strings.HasPrefix(now, "private_key_jwt:") {
		return invalidGrant("the client authenticated with another key than at the start of the session")
	}
	return invalidGrant("the client authentication method differs from the start of the session")
}
