package store

import (
	"context"
	"time"
)

// OAuth stores the OAuth authorization server's state: pushed
// authorization requests (with the code issued once the user approves),
// refresh tokens grouped in families (one family per sign-in, rotated on
// every refresh) and the accounts signed in on each browser ("device") for
// the account chooser. Codes, refresh tokens and device cookies are stored
// only as hashes.
type OAuth interface {
	// CreateOAuthRequest stores a pushed authorization request
	// (ErrConflict if the ID is taken).
	CreateOAuthRequest(ctx context.Context, r OAuthRequest) error
	// GetOAuthRequest returns the request with this ID, or ErrNotFound.
	GetOAuthRequest(ctx context.Context, id string) (OAuthRequest, error)
	// ApproveOAuthRequest records the user's approval: the code's hash, the
	// account, the granted scope and the code's expiry (which becomes the
	// request's). It returns ErrNotFound if the request does not exist and
	// ErrConflict if it was already approved.
	ApproveOAuthRequest(ctx context.Context, id string, g OAuthCodeGrant) error
	// DeleteOAuthRequest forgets a request (ErrNotFound if absent).
	DeleteOAuthRequest(ctx context.Context, id string) error
	// UseOAuthCode marks the code with this hash used at `at`, records the
	// token family it starts and returns its request. A code used before
	// returns its request (with the first use's FamilyID) and ErrConflict;
	// an unknown code returns ErrNotFound.
	UseOAuthCode(ctx context.Context, codeHash []byte, familyID string, at time.Time) (OAuthRequest, error)

	// CreateOAuthToken stores a new refresh token (the first of a family).
	CreateOAuthToken(ctx context.Context, t OAuthToken) error
	// GetOAuthToken returns the refresh token with this hash, or
	// ErrNotFound.
	GetOAuthToken(ctx context.Context, hash []byte) (OAuthToken, error)
	// RotateOAuthToken atomically marks the token oldHash rotated at `at`
	// and stores next (of the same family). It returns ErrNotFound if old
	// does not exist and ErrConflict if it was already rotated or revoked.
	RotateOAuthToken(ctx context.Context, oldHash []byte, at time.Time, next OAuthToken) error
	// RevokeOAuthFamily revokes every token of a family and returns how
	// many it revoked.
	RevokeOAuthFamily(ctx context.Context, familyID string, at time.Time) (int64, error)
	// RevokeOAuthTokens revokes every token of account did, or when actorDID
	// is set only those obtained by that actor (a controller acting as did),
	// and returns how many it revoked.
	RevokeOAuthTokens(ctx context.Context, did, actorDID string, at time.Time) (int64, error)
	// ListOAuthSessions lists an account's live sign-ins: the current
	// (neither rotated, revoked nor expired) token of each family, newest
	// first, for a page where the user sees and ends them.
	ListOAuthSessions(ctx context.Context, did string, now time.Time) ([]OAuthToken, error)
	// OAuthFamilyActive reports whether a family still has a current token:
	// neither rotated, revoked nor expired at now.
	OAuthFamilyActive(ctx context.Context, familyID string, now time.Time) (bool, error)

	// AddOAuthDeviceAccount remembers that an account signed in on a device
	// (replacing an earlier entry of the same pair).
	AddOAuthDeviceAccount(ctx context.Context, a OAuthDeviceAccount) error
	// ListOAuthDeviceAccounts lists the accounts signed in on a device and
	// not expired at now, oldest first.
	ListOAuthDeviceAccounts(ctx context.Context, deviceHash []byte, now time.Time) ([]OAuthDeviceAccount, error)
	// RemoveOAuthDeviceAccount signs an account out of a device; removing
	// one that is not there is not an error.
	RemoveOAuthDeviceAccount(ctx context.Context, deviceHash []byte, did string) error

	// DeleteExpiredOAuth removes requests, refresh tokens and device entries
	// that expired before now, and returns how many rows it removed.
	DeleteExpiredOAuth(ctx context.Context, now time.Time) (int64, error)
}

// OAuthRequest is a pushed authorization request. The code fields are set
// once the user approved it.
type OAuthRequest struct {
	ID         string // the request_uri's random part
	ClientID   string
	ClientAuth string // how the client authenticated: "none" or "private_key_jwt:<kid>"
	DPoPJKT    string // thumbprint of the DPoP key the request is bound to
	Params     []byte // the request's parameters (JSON, owned by the oauth package)
	ExpiresAt  time.Time

	CodeHash   []byte // SHA-256 of the authorization code
	DID        string // the account that approved
	Scope      string // the granted scope
	ActorDID   string // the controller acting as DID, if any
	CodeUsedAt *time.Time
	FamilyID   string // the token family the code started
}

// OAuthCodeGrant is what approving a request records.
type OAuthCodeGrant struct {
	CodeHash  []byte
	DID       string
	Scope     string
	ActorDID  string
	ExpiresAt time.Time
}

// OAuthToken is a refresh token, stored by the hash of its value.
type OAuthToken struct {
	Hash            []byte
	FamilyID        string
	DID             string // sub
	ActorDID        string // act.sub, "" when the account acts for itself
	ClientID        string
	ClientAuth      string
	DPoPJKT         string
	Scope           string
	CreatedAt       time.Time
	ExpiresAt       time.Time // this token's expiry
	FamilyExpiresAt time.Time // the sign-in's overall expiry
	RotatedAt       *time.Time
	RevokedAt       *time.Time
}

// OAuthDeviceAccount is an account signed in on a browser, found by the
// hash of the browser's device cookie.
type OAuthDeviceAccount struct {
	DeviceHash []byte
	DID        string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}
