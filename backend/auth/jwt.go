package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWT "typ" header values, as the reference PDS sets them.
const (
	typAccess  = "at+jwt"      // RFC 9068
	typRefresh = "refresh+jwt" // reference PDS
)

// wireClaims is the JSON payload of a session token. aud is a plain string
// (not an array), as the reference PDS emits it.
type wireClaims struct {
	Scope Scope  `json:"scope"`
	Sub   string `json:"sub"`
	Aud   string `json:"aud"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
	Jti   string `json:"jti,omitempty"`
}

// The jwt.Claims methods. Validation is done by verifyClaims, not by the
// library, so these only expose the values.

func (c wireClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c wireClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Iat, 0)), nil
}
func (c wireClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c wireClaims) GetIssuer() (string, error)              { return "", nil }
func (c wireClaims) GetSubject() (string, error)             { return c.Sub, nil }
func (c wireClaims) GetAudience() (jwt.ClaimStrings, error)  { return jwt.ClaimStrings{c.Aud}, nil }

// tokenKind is what distinguishes an access token from a refresh token.
type tokenKind struct {
	typ        string
	scopeOK    func(Scope) bool
	requireJTI bool
}

var (
	accessKind  = tokenKind{typ: typAccess, scopeOK: Scope.IsAccess}
	refreshKind = tokenKind{typ: typRefresh, scopeOK: func(s Scope) bool { return s == ScopeRefresh }, requireJTI: true}
)

// sign makes an HS256 JWT of the given typ.
func (t *Tokens) sign(typ string, c wireClaims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["typ"] = typ
	key := t.secret.Bytes()
	defer clear(key)
	s, err := tok.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("auth: sign %s: %w", typ, err)
	}
	return s, nil
}

// parse checks a token's signature (HS256 only), its typ, subject, audience
// and scope, and (when checkExp) its expiry. Everything but expiry fails with
// ErrInvalidToken; expiry is checked last, so ErrExpiredToken always means a
// genuine token of the right kind that merely ran out.
func (t *Tokens) parse(token string, kind tokenKind, checkExp bool) (Claims, error) {
	var c wireClaims
	key := t.secret.Bytes()
	defer clear(key)
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithoutClaimsValidation())
	tok, err := parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil })
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if typ, _ := tok.Header["typ"].(string); typ != kind.typ {
		return Claims{}, fmt.Errorf("%w: token type is not %s", ErrInvalidToken, kind.typ)
	}
	if err := t.verifyClaims(c, kind); err != nil {
		return Claims{}, err
	}
	claims := c.claims()
	if checkExp && !t.now().Before(claims.ExpiresAt) {
		return Claims{}, ErrExpiredToken
	}
	return claims, nil
}

// verifyClaims checks everything in the payload but expiry.
func (t *Tokens) verifyClaims(c wireClaims, kind tokenKind) error {
	switch {
	case !strings.HasPrefix(c.Sub, "did:"):
		return fmt.Errorf("%w: subject is not a DID", ErrInvalidToken)
	case c.Aud != t.serviceDID:
		return fmt.Errorf("%w: wrong audience", ErrInvalidToken)
	case !kind.scopeOK(c.Scope):
		return fmt.Errorf("%w: bad token scope", ErrInvalidToken)
	case c.Exp <= 0:
		return fmt.Errorf("%w: no expiry", ErrInvalidToken)
	case kind.requireJTI && c.Jti == "":
		return fmt.Errorf("%w: missing token id", ErrInvalidToken)
	}
	return nil
}

// claims converts the payload to the exported form.
func (c wireClaims) claims() Claims {
	return Claims{
		DID:       c.Sub,
		Scope:     c.Scope,
		Audience:  c.Aud,
		IssuedAt:  time.Unix(c.Iat, 0).UTC(),
		ExpiresAt: time.Unix(c.Exp, 0).UTC(),
		TokenID:   c.Jti,
	}
}
