package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
)

const (
	testServiceDID = "did:web:pds.example.com"
	alice          = "did:plc:alice2345alice2345alice23"
	bob            = "did:plc:bob2345bob2345bob2345bob2"
)

var testSecret = bytes.Repeat([]byte{0x5e}, 32)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type tokenFixture struct {
	tokens   *Tokens
	sessions *fakeSessions
	clock    *fakeClock
}

func newTokenFixture(t *testing.T, mutate ...func(*TokenConfig)) tokenFixture {
	t.Helper()
	f := tokenFixture{
		sessions: newFakeSessions(),
		clock:    &fakeClock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)},
	}
	cfg := TokenConfig{
		ServiceDID: testServiceDID,
		Secret:     keys.NewSecret(testSecret),
		Sessions:   f.sessions,
		Now:        f.clock.Now,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	tokens, err := NewTokens(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens = tokens
	return f
}

func (f tokenFixture) issue(t *testing.T, did string, ap *store.AppPassword) Session {
	t.Helper()
	s, err := f.tokens.IssueSession(context.Background(), did, ap)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// decodeJWT returns a JWT's header and payload without verifying it.
func decodeJWT(t *testing.T, tok string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT has %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

func TestIssueSessionMatchesReferenceTokens(t *testing.T) {
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	now := f.clock.Now().Unix()

	h, p := decodeJWT(t, s.AccessJwt)
	wantHeader := map[string]any{"alg": "HS256", "typ": "at+jwt"}
	wantPayload := map[string]any{
		"scope": "com.atproto.access", "sub": alice, "aud": testServiceDID,
		"iat": float64(now), "exp": float64(now + 2*3600),
	}
	assertJSONEqual(t, "access header", h, wantHeader)
	assertJSONEqual(t, "access payload", p, wantPayload)

	h, p = decodeJWT(t, s.RefreshJwt)
	jti, _ := p["jti"].(string)
	if len(jti) < 40 {
		t.Fatalf("refresh jti %q too short", jti)
	}
	assertJSONEqual(t, "refresh header", h, map[string]any{"alg": "HS256", "typ": "refresh+jwt"})
	assertJSONEqual(t, "refresh payload", p, map[string]any{
		"scope": "com.atproto.refresh", "sub": alice, "aud": testServiceDID, "jti": jti,
		"iat": float64(now), "exp": float64(now + 90*24*3600),
	})

	row, err := f.sessions.GetRefreshToken(context.Background(), jti)
	if err != nil {
		t.Fatalf("refresh token not stored: %v", err)
	}
	want := store.RefreshToken{ID: jti, DID: alice, ExpiresAt: time.Unix(now+90*24*3600, 0).UTC()}
	if row != want {
		t.Fatalf("stored %+v, want %+v", row, want)
	}
	if s.DID != alice || s.Scope != ScopeAccess || !s.AccessExpiresAt.Equal(time.Unix(now+7200, 0)) ||
		!s.RefreshExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("session fields: %+v", s)
	}
}

func assertJSONEqual(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("%s = %s, want %s", what, g, w)
	}
}

func TestIssueSessionAppPasswordScopes(t *testing.T) {
	f := newTokenFixture(t)
	for _, c := range []struct {
		ap    *store.AppPassword
		scope Scope
	}{
		{&store.AppPassword{DID: alice, Name: "phone"}, ScopeAppPass},
		{&store.AppPassword{DID: alice, Name: "chat", Privileged: true}, ScopeAppPassPrivileged},
	} {
		s := f.issue(t, alice, c.ap)
		claims, err := f.tokens.VerifyAccess(s.AccessJwt)
		if err != nil {
			t.Fatal(err)
		}
		if claims.Scope != c.scope || s.Scope != c.scope {
			t.Fatalf("scope %q / %q, want %q", claims.Scope, s.Scope, c.scope)
		}
		if claims.Scope.Privileged() != c.ap.Privileged {
			t.Fatalf("Privileged() = %v for %q", claims.Scope.Privileged(), claims.Scope)
		}
		rc, err := f.tokens.VerifyRefresh(context.Background(), s.RefreshJwt)
		if err != nil {
			t.Fatal(err)
		}
		row, _ := f.sessions.GetRefreshToken(context.Background(), rc.TokenID)
		if row.AppPasswordName != c.ap.Name {
			t.Fatalf("stored app password name %q, want %q", row.AppPasswordName, c.ap.Name)
		}
	}
}

func TestIssueSessionRejects(t *testing.T) {
	f := newTokenFixture(t)
	ctx := context.Background()
	if _, err := f.tokens.IssueSession(ctx, "alice", nil); err == nil {
		t.Fatal("issued a session for a non-DID")
	}
	if _, err := f.tokens.IssueSession(ctx, alice, &store.AppPassword{DID: bob, Name: "x"}); err == nil {
		t.Fatal("issued a session with another account's app password")
	}
	if n := f.sessions.count(); n != 0 {
		t.Fatalf("%d refresh tokens stored by failed issues", n)
	}
}

func TestVerifyAccess(t *testing.T) {
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	c, err := f.tokens.VerifyAccess(s.AccessJwt)
	if err != nil {
		t.Fatal(err)
	}
	if c.DID != alice || c.Scope != ScopeAccess || c.Audience != testServiceDID || c.TokenID != "" {
		t.Fatalf("claims %+v", c)
	}
	if !c.ExpiresAt.Equal(s.AccessExpiresAt) || !c.IssuedAt.Equal(f.clock.Now()) {
		t.Fatalf("claim times %v / %v", c.IssuedAt, c.ExpiresAt)
	}
}

func TestAccessTokenExpiry(t *testing.T) {
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	f.clock.Advance(2*time.Hour - time.Second)
	if _, err := f.tokens.VerifyAccess(s.AccessJwt); err != nil {
		t.Fatalf("one second before expiry: %v", err)
	}
	f.clock.Advance(time.Second)
	if _, err := f.tokens.VerifyAccess(s.AccessJwt); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("at expiry: err = %v, want ErrExpiredToken", err)
	}
}

func TestAccessTTLConfigurable(t *testing.T) {
	f := newTokenFixture(t, func(c *TokenConfig) { c.AccessTTL = 15 * time.Minute })
	s := f.issue(t, alice, nil)
	f.clock.Advance(15 * time.Minute)
	if _, err := f.tokens.VerifyAccess(s.AccessJwt); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("err = %v, want ErrExpiredToken", err)
	}
}

func TestVerifyAccessRejectsForgeries(t *testing.T) {
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	parts := strings.Split(s.AccessJwt, ".")
	_, payload := decodeJWT(t, s.AccessJwt)

	cases := map[string]string{
		"empty":             "",
		"garbage":           "not.a.jwt",
		"two parts":         parts[0] + "." + parts[1],
		"signature flipped": parts[0] + "." + parts[1] + "." + flipChar(parts[2]),
		"no signature":      parts[0] + "." + parts[1] + ".",
		"payload swapped":   parts[0] + "." + encodeSegment(t, withClaim(payload, "sub", bob)) + "." + parts[2],
		"scope raised":      parts[0] + "." + encodeSegment(t, withClaim(payload, "scope", "com.atproto.admin")) + "." + parts[2],
		"alg none":          encodeSegment(t, map[string]any{"alg": "none", "typ": "at+jwt"}) + "." + parts[1] + ".",
		"other secret":      signWith(t, jwt.SigningMethodHS256, bytes.Repeat([]byte{1}, 32), "at+jwt", payload),
		"HS512 same secret": signWith(t, jwt.SigningMethodHS512, testSecret, "at+jwt", payload),
		"no typ":            signWith(t, jwt.SigningMethodHS256, testSecret, "", payload),
		"JWT typ":           signWith(t, jwt.SigningMethodHS256, testSecret, "JWT", payload),
		"refresh token":     s.RefreshJwt,
		"aud array":         signWith(t, jwt.SigningMethodHS256, testSecret, "at+jwt", withClaim(payload, "aud", []string{testServiceDID})),
		"no exp":            signWith(t, jwt.SigningMethodHS256, testSecret, "at+jwt", withClaim(payload, "exp", nil)),
		"sub not a DID":     signWith(t, jwt.SigningMethodHS256, testSecret, "at+jwt", withClaim(payload, "sub", "alice")),
		"refresh scope":     signWith(t, jwt.SigningMethodHS256, testSecret, "at+jwt", withClaim(payload, "scope", "com.atproto.refresh")),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := f.tokens.VerifyAccess(tok); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestVerifyAccessWrongAudience(t *testing.T) {
	f := newTokenFixture(t)
	other := newTokenFixture(t, func(c *TokenConfig) { c.ServiceDID = "did:web:other.example.com" })
	s := other.issue(t, alice, nil)
	if _, err := f.tokens.VerifyAccess(s.AccessJwt); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("err = %v, want ErrInvalidToken", err)
	}
	// Expired and for another audience: invalid, not merely expired.
	f.clock.Advance(3 * time.Hour)
	if _, err := f.tokens.VerifyAccess(s.AccessJwt); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("expired, wrong audience: err = %v, want ErrInvalidToken", err)
	}
}

func TestForgedExpiredTokenIsInvalidNotExpired(t *testing.T) {
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	parts := strings.Split(s.AccessJwt, ".")
	f.clock.Advance(3 * time.Hour)
	tampered := parts[0] + "." + parts[1] + "." + flipChar(parts[2])
	if _, err := f.tokens.VerifyAccess(tampered); !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrExpiredToken) {
		t.Fatalf("err = %v, want ErrInvalidToken only", err)
	}
}

func TestNewTokensValidatesConfig(t *testing.T) {
	base := TokenConfig{ServiceDID: testServiceDID, Secret: keys.NewSecret(testSecret), Sessions: newFakeSessions()}
	for name, mutate := range map[string]func(*TokenConfig){
		"no service DID":  func(c *TokenConfig) { c.ServiceDID = "" },
		"bad service DID": func(c *TokenConfig) { c.ServiceDID = "pds.example.com" },
		"short secret":    func(c *TokenConfig) { c.Secret = keys.NewSecret(make([]byte, 31)) },
		"no secret":       func(c *TokenConfig) { c.Secret = keys.Secret{} },
		"no store":        func(c *TokenConfig) { c.Sessions = nil },
		"negative TTL":    func(c *TokenConfig) { c.AccessTTL = -time.Second },
	} {
		cfg := base
		mutate(&cfg)
		if _, err := NewTokens(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewTokens(base); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

func TestTokensAndSessionsPrintNoSecrets(t *testing.T) {
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		for _, v := range []any{s, &s, f.tokens, *f.tokens} {
			out := fmt.Sprintf(format, v)
			if strings.Contains(out, s.AccessJwt) || strings.Contains(out, s.RefreshJwt) ||
				strings.Contains(out, "94 94 94") || strings.Contains(out, "5e5e5e") {
				t.Fatalf("%s of %T leaks a secret: %s", format, v, out)
			}
		}
	}
}

func flipChar(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// withClaim returns a copy of payload with one claim set (nil deletes it).
func withClaim(payload map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(payload))
	for pk, pv := range payload {
		out[pk] = pv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// signWith signs payload with an arbitrary method, key and typ ("" for none).
func signWith(t *testing.T, m jwt.SigningMethod, key []byte, typ string, payload map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, jwt.MapClaims(payload))
	if typ == "" {
		delete(tok.Header, "typ")
	} else {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
