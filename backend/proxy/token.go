package proxy

import (
	"context"
	"fmt"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// DefaultTokenTTL is how long a minted service-auth JWT is valid: a minute,
// as the reference PDS mints them.
const DefaultTokenTTL = time.Minute

// KeySource returns an account's repo signing key. account.Service
// satisfies it.
type KeySource interface {
	SigningKey(ctx context.Context, did string) (atcrypto.PrivateKey, error)
}

// Minter mints service-auth JWTs for the accounts of this server.
type Minter struct {
	Keys KeySource
	TTL  time.Duration // 0 means DefaultTokenTTL
}

// Mint returns a service-auth JWT: issuer iss (an account of this server),
// audience aud, method lxm, signed with the account's signing key.
func (m Minter) Mint(ctx context.Context, iss syntax.DID, aud string, lxm syntax.NSID) (string, error) {
	key, err := m.Keys.SigningKey(ctx, iss.String())
	if err != nil {
		return "", fmt.Errorf("service auth for %s: %w", iss, err)
	}
	ttl := m.TTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	tok, err := auth.SignServiceAuth(iss, aud, ttl, &lxm, key)
	if err != nil {
		return "", fmt.Errorf("service auth for %s: %w", iss, err)
	}
	return tok, nil
}
