package oauth

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// accessClaims are an access token's claims.
type accessClaims struct {
	Iss      string    `json:"iss"`
	Aud      string    `json:"aud"`
	Sub      string    `json:"sub"`
	Scope    string    `json:"scope"`
	ClientID string    `json:"client_id"`
	Cnf      cnf       `json:"cnf"`
	Act      *actClaim `json:"act,omitempty"`
	Iat      int64     `json:"iat"`
	Exp      int64     `json:"exp"`
	JTI      string    `json:"jti"`
	SID      string    `json:"sid"` // the refresh-token family (sign-in)
}

// cnf binds a token to a DPoP key (RFC 9449 section 6).
type cnf struct {
	JKT string `json:"jkt"`
}

// actClaim names the actor acting as sub (RFC 8693 section 4.1).
type actClaim struct {
	Sub string    `json:"sub"`
	Act *actClaim `json:"act,omitempty"`
}

// typAccess is the access token's JWT typ (RFC 9068).
const typAccess = "at+jwt"

// errTokenExpired marks an access token that is genuine but expired.
var errTokenExpired = errors.New("the access token has expired")

// mintAccess signs an access token for a token family, valid for ttl.
func (s *Server) mintAccess(sub, actor, scope, clientID, jkt, family string, now time.Time, ttl time.Duration) (string, error) {
	c := accessClaims{
		Iss: s.cfg.Issuer, Aud: s.cfg.ServiceDID, Sub: sub, Scope: scope, ClientID: clientID,
		Cnf: cnf{JKT: jkt}, Iat: now.Unix(), Exp: now.Add(ttl).Unix(), JTI: randomToken(16), SID: family,
	}
	if actor != "" {
		c.Act = &actClaim{Sub: actor}
	}
	return signHS256(s.cfg.TokenKey, typAccess, c)
}

// parseAccess verifies an access token's signature, typ, issuer and
// audience; when checkExp it also refuses an expired token with
// errTokenExpired.
func (s *Server) parseAccess(token string, checkExp bool) (accessClaims, error) {
	var c accessClaims
	t, err := parseJWS(token)
	if err != nil {
		return c, err
	}
	if !strings.EqualFold(t.header.Typ, typAccess) {
		return c, errors.New("not an access token")
	}
	if err := t.verifyHS256(s.cfg.TokenKey); err != nil {
		return c, err
	}
	if err := t.claims(&c); err != nil {
		return c, err
	}
	switch {
	case c.Iss != s.cfg.Issuer || c.Aud != s.cfg.ServiceDID:
		return c, fmt.Errorf("issued for another server")
	case c.Sub == "" || c.Cnf.JKT == "" || c.SID == "":
		return c, fmt.Errorf("incomplete token")
	case c.Act != nil && (c.Act.Sub == "" || c.Act.Act != nil):
		return c, fmt.Errorf("bad act claim")
	}
	if checkExp && !time.Unix(c.Exp, 0).After(s.clock()) {
		return c, errTokenExpired
	}
	return c, nil
}
