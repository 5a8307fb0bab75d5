package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
)

// Token lifetimes, as the reference PDS sets them.
const (
	DefaultAccessTTL    = 2 * time.Hour
	DefaultRefreshTTL   = 90 * 24 * time.Hour
	DefaultRefreshGrace = 2 * time.Hour
)

// MinSecretLen is the shortest HS256 secret accepted, in bytes.
const MinSecretLen = 32

// TokenConfig configures Tokens. ServiceDID, Secret and Sessions are
// required; zero durations and a nil Now take the defaults.
type TokenConfig struct {
	// ServiceDID is the PDS's own DID: the "aud" of every token it issues
	// and the only audience it accepts.
	ServiceDID string
	// Secret is the HS256 key, at least MinSecretLen bytes; derive it from
	// the master key with keys.PurposeJWTSecret. Changing it ends every
	// session.
	Secret keys.Secret
	// Sessions stores refresh tokens and app passwords.
	Sessions store.Sessions
	// AccessTTL is the access token lifetime (DefaultAccessTTL).
	AccessTTL time.Duration
	// RefreshTTL is the refresh token lifetime (DefaultRefreshTTL).
	RefreshTTL time.Duration
	// RefreshGrace is how long a rotated refresh token still works,
	// returning the same successor (DefaultRefreshGrace).
	RefreshGrace time.Duration
	// Now is the clock (time.Now); tests swap it.
	Now func() time.Time
}

// Tokens issues and verifies session tokens: stateless HS256 access JWTs
// and refresh JWTs backed by a store.Sessions row. It is safe for concurrent
// use; printing it shows no secret.
type Tokens struct {
	serviceDID string
	secret     keys.Secret
	sessions   store.Sessions
	accessTTL  time.Duration
	refreshTTL time.Duration
	grace      time.Duration
	now        func() time.Time
}

// Session is a freshly issued token pair. AccessJwt and RefreshJwt are
// bearer credentials: return them to the client, never log them (Session's
// String, Format and LogValue leave them out).
type Session struct {
	DID              string
	Scope            Scope // the access token's scope
	AccessJwt        string
	RefreshJwt       string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
}

// Claims are the verified contents of an access or refresh token.
type Claims struct {
	DID       string // sub
	Scope     Scope
	Audience  string // aud: the service DID
	IssuedAt  time.Time
	ExpiresAt time.Time
	TokenID   string // jti; refresh tokens only
}

// NewTokens checks cfg and returns a Tokens.
func NewTokens(cfg TokenConfig) (*Tokens, error) {
	if _, err := syntax.ParseDID(cfg.ServiceDID); err != nil {
		return nil, fmt.Errorf("auth: service DID: %w", err)
	}
	if cfg.Secret.Len() < MinSecretLen {
		return nil, fmt.Errorf("auth: token secret is %d bytes, want at least %d", cfg.Secret.Len(), MinSecretLen)
	}
	if cfg.Sessions == nil {
		return nil, errors.New("auth: no session store")
	}
	if cfg.AccessTTL < 0 || cfg.RefreshTTL < 0 || cfg.RefreshGrace < 0 {
		return nil, errors.New("auth: negative token lifetime")
	}
	t := &Tokens{
		serviceDID: cfg.ServiceDID,
		secret:     cfg.Secret,
		sessions:   cfg.Sessions,
		accessTTL:  orDefault(cfg.AccessTTL, DefaultAccessTTL),
		refreshTTL: orDefault(cfg.RefreshTTL, DefaultRefreshTTL),
		grace:      orDefault(cfg.RefreshGrace, DefaultRefreshGrace),
		now:        cfg.Now,
	}
	if t.now == nil {
		t.now = time.Now
	}
	return t, nil
}

// IssueSession opens a session for the account did (whose credentials the
// caller has already checked): it stores a new refresh token and returns an
// access and refresh JWT. appPassword is the app password used to log in,
// or nil for the account password; it sets the access scope and ties the
// refresh token to the app password, so revoking that ends the session.
func (t *Tokens) IssueSession(ctx context.Context, did string, appPassword *store.AppPassword) (Session, error) {
	if _, err := syntax.ParseDID(did); err != nil {
		return Session{}, fmt.Errorf("auth: issue session: %w", err)
	}
	rt := store.RefreshToken{DID: did}
	if appPassword != nil {
		if appPassword.DID != did {
			return Session{}, errors.New("auth: issue session: app password belongs to another account")
		}
		rt.AppPasswordName = appPassword.Name
	}
	now := t.clock()
	id, err := newTokenID()
	if err != nil {
		return Session{}, err
	}
	rt.ID, rt.ExpiresAt = id, now.Add(t.refreshTTL)
	if err := t.sessions.CreateRefreshToken(ctx, rt); err != nil {
		return Session{}, fmt.Errorf("auth: store refresh token: %w", err)
	}
	return t.session(now, ScopeFor(appPassword), rt)
}

// VerifyAccess checks an access token and returns its claims. A refresh
// token, a token for another audience, a bad signature or a malformed token
// give ErrInvalidToken; an expired one ErrExpiredToken. Access tokens are
// stateless: the caller checks the account's status itself.
func (t *Tokens) VerifyAccess(token string) (Claims, error) {
	return t.parse(token, accessKind, true)
}

// session signs the token pair for refresh token rt.
func (t *Tokens) session(now time.Time, scope Scope, rt store.RefreshToken) (Session, error) {
	accessExp := now.Add(t.accessTTL)
	access, err := t.sign(typAccess, wireClaims{
		Scope: scope, Sub: rt.DID, Aud: t.serviceDID, Iat: now.Unix(), Exp: accessExp.Unix(),
	})
	if err != nil {
		return Session{}, err
	}
	refresh, err := t.sign(typRefresh, wireClaims{
		Scope: ScopeRefresh, Sub: rt.DID, Aud: t.serviceDID, Iat: now.Unix(), Exp: rt.ExpiresAt.Unix(), Jti: rt.ID,
	})
	if err != nil {
		return Session{}, err
	}
	return Session{
		DID: rt.DID, Scope: scope, AccessJwt: access, RefreshJwt: refresh,
		AccessExpiresAt: accessExp, RefreshExpiresAt: rt.ExpiresAt,
	}, nil
}

// clock returns now in UTC, truncated to whole seconds so that stored expiry
// times equal the JWTs' exp exactly.
func (t *Tokens) clock() time.Time {
	return t.now().UTC().Truncate(time.Second)
}

// newTokenID returns a random refresh token ID (256 bits, base64url).
func newTokenID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: refresh token id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// String describes the session without its tokens.
func (s Session) String() string {
	return fmt.Sprintf("auth.Session{DID: %s, Scope: %s, tokens: [redacted]}", s.DID, s.Scope)
}

// Format prints String whatever the verb, so %v or %+v cannot dump tokens.
func (s Session) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue makes log/slog print the session without its tokens.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("did", s.DID), slog.String("scope", string(s.Scope)))
}
