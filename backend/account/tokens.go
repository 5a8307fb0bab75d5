package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
)

// Account tokens are the short single-use codes emailed to an account's
// owner ("ABCDE-23456", 50 random bits, as the reference PDS makes them).
// Only an HMAC of each is stored, keyed by a sub-key of the master key, so a
// copy of the database does not reveal live tokens and cannot be searched
// for them offline.

// TokenTTL is how long an account token stays valid (the reference PDS's
// 15 minutes).
const TokenTTL = 15 * time.Minute

// TokenCooldown is the default least time between two emailed tokens of one
// purpose for one account, so a request loop cannot flood a mailbox.
const TokenCooldown = 30 * time.Second

// purposeTokenHMAC labels the sub-key under which tokens are hashed.
const purposeTokenHMAC = "hearth/account/email-token-hmac/v1"

// Errors of the account-token flows besides those declared with the
// lifecycle operations (ErrNoEmail, ErrMailNotConfigured, ErrTokenRequired,
// ErrTokenInvalid, ErrTokenExpired).
var (
	// ErrTokenTooSoon: a token of the purpose was sent less than the
	// cooldown ago.
	ErrTokenTooSoon = errors.New("a token was sent moments ago: wait a little before asking for another")
	// ErrEmailMismatch: the email given is not the account's.
	ErrEmailMismatch = errors.New("email does not match the account's")
)

// tokenFormat is the shape of a token after normalization.
var tokenFormat = regexp.MustCompile(`^[A-Z2-7]{5}-[A-Z2-7]{5}$`)

// TokenMailer delivers a token to an email address; *mail.Sender is one.
type TokenMailer interface {
	SendToken(ctx context.Context, to string, purpose store.TokenPurpose, token string) error
}

// SessionRevoker ends every session of an account; a password reset calls
// it.
type SessionRevoker interface {
	RevokeSessions(ctx context.Context, did string) error
}

// TokenStore is the storage the token service uses.
type TokenStore interface {
	store.Accounts
	store.AccountTokens
}

// TokenServiceConfig configures a TokenService.
type TokenServiceConfig struct {
	Store  TokenStore
	Sealer *keys.Sealer // keys the token hashes
	// Mailer sends the tokens; nil means this server sends no email, and
	// every method that would send one returns ErrMailNotConfigured.
	Mailer TokenMailer
	// Sessions, when set, ends an account's sessions after a password
	// reset, as the reference PDS does.
	Sessions SessionRevoker
	TTL      time.Duration // default TokenTTL
	Cooldown time.Duration // 0: no cooldown
	Now      func() time.Time
	Logger   *slog.Logger
}

// TokenService issues, emails and checks account tokens, and runs the flows
// they unlock (confirming or changing an email, resetting a password). It
// is safe for concurrent use.
type TokenService struct {
	cfg TokenServiceConfig
	key []byte
	log *slog.Logger
}

var _ EmailTokens = (*TokenService)(nil)

// NewTokenService returns the token service.
func NewTokenService(cfg TokenServiceConfig) *TokenService {
	if cfg.TTL <= 0 {
		cfg.TTL = TokenTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &TokenService{cfg: cfg, key: cfg.Sealer.DeriveKey(purposeTokenHMAC, 32), log: log}
}

// CanSend reports whether tokens can be emailed.
func (t *TokenService) CanSend() bool { return t.cfg.Mailer != nil }

// TTL is how long a token stays valid.
func (t *TokenService) TTL() time.Duration { return t.cfg.TTL }

// Create makes a new token of a purpose for an account, replacing its
// earlier one, and returns it without sending it (for a signed-in owner's
// own screen).
func (t *TokenService) Create(ctx context.Context, purpose store.TokenPurpose, did string) (string, error) {
	for range 3 { // on a hash collision with another account's token, draw again
		token := newToken()
		err := t.cfg.Store.PutAccountToken(ctx, store.AccountToken{
			Purpose: purpose, DID: did, Hash: t.hash(purpose, token), RequestedAt: t.cfg.Now().UTC(),
		})
		switch {
		case err == nil:
			return token, nil
		case errors.Is(err, store.ErrNotFound):
			return "", ErrAccountNotFound
		case !errors.Is(err, store.ErrConflict):
			return "", fmt.Errorf("store %s token of %s: %w", purpose, did, err)
		}
	}
	return "", fmt.Errorf("store %s token of %s: repeated hash collisions", purpose, did)
}

// Issue makes a new token of a purpose for an account, emails it to the
// account's address and returns it (never show it to the caller: only the
// mailbox's owner may see it). It returns ErrMailNotConfigured without a mailer,
// ErrNoEmail when the account has no address, and ErrTokenTooSoon when the
// previous token of the purpose was sent less than the cooldown ago.
func (t *TokenService) Issue(ctx context.Context, purpose store.TokenPurpose, did string) (string, error) {
	if t.cfg.Mailer == nil {
		return "", ErrMailNotConfigured
	}
	acct, err := t.account(ctx, did)
	if err != nil {
		return "", err
	}
	if acct.Email == "" {
		return "", ErrNoEmail
	}
	if err := t.checkCooldown(ctx, purpose, did); err != nil {
		return "", err
	}
	token, err := t.Create(ctx, purpose, did)
	if err != nil {
		return "", err
	}
	if err := t.cfg.Mailer.SendToken(ctx, acct.Email, purpose, token); err != nil {
		return "", fmt.Errorf("email %s token to %s: %w", purpose, did, err)
	}
	t.log.Info("account token sent", "did", did, "purpose", purpose)
	return token, nil
}

func (t *TokenService) checkCooldown(ctx context.Context, purpose store.TokenPurpose, did string) error {
	if t.cfg.Cooldown <= 0 {
		return nil
	}
	prev, err := t.cfg.Store.GetAccountToken(ctx, purpose, did)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("previous %s token of %s: %w", purpose, did, err)
	case t.cfg.Now().Sub(prev.RequestedAt) < t.cfg.Cooldown:
		return ErrTokenTooSoon
	}
	return nil
}

// Check verifies an account's token of a purpose: ErrTokenInvalid when it
// is not the current one, ErrTokenExpired when it is older than the TTL.
func (t *TokenService) Check(ctx context.Context, purpose store.TokenPurpose, did, token string) error {
	hash, ok := t.parse(purpose, token)
	if !ok {
		return ErrTokenInvalid
	}
	stored, err := t.cfg.Store.GetAccountToken(ctx, purpose, did)
	if errors.Is(err, store.ErrNotFound) {
		return ErrTokenInvalid
	}
	if err != nil {
		return fmt.Errorf("%s token of %s: %w", purpose, did, err)
	}
	if !hmac.Equal(stored.Hash, hash) {
		return ErrTokenInvalid
	}
	return t.checkFresh(stored)
}

// Consume checks an account's token and deletes it, so it works once.
func (t *TokenService) Consume(ctx context.Context, purpose store.TokenPurpose, did, token string) error {
	if err := t.Check(ctx, purpose, did, token); err != nil {
		return err
	}
	return t.delete(ctx, purpose, did)
}

// RevokeAll deletes every token of an account (its email changed, so
// codes sent to the old address must stop working).
func (t *TokenService) RevokeAll(ctx context.Context, did string) error {
	for _, p := range []store.TokenPurpose{store.TokenConfirmEmail, store.TokenUpdateEmail,
		store.TokenResetPassword, store.TokenDeleteAccount, store.TokenPLCOperation} {
		err := t.cfg.Store.DeleteAccountToken(ctx, p, did)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("revoke %s token of %s: %w", p, did, err)
		}
	}
	return nil
}

// find looks a token up by its hash and checks that it is fresh.
func (t *TokenService) find(ctx context.Context, purpose store.TokenPurpose, token string) (store.AccountToken, error) {
	hash, ok := t.parse(purpose, token)
	if !ok {
		return store.AccountToken{}, ErrTokenInvalid
	}
	stored, err := t.cfg.Store.FindAccountToken(ctx, purpose, hash)
	if errors.Is(err, store.ErrNotFound) {
		return store.AccountToken{}, ErrTokenInvalid
	}
	if err != nil {
		return store.AccountToken{}, fmt.Errorf("find %s token: %w", purpose, err)
	}
	return stored, t.checkFresh(stored)
}

func (t *TokenService) checkFresh(stored store.AccountToken) error {
	if t.cfg.Now().Sub(stored.RequestedAt) > t.cfg.TTL {
		return ErrTokenExpired
	}
	return nil
}

// delete removes a checked token; finding it already gone means another
// request used it first.
func (t *TokenService) delete(ctx context.Context, purpose store.TokenPurpose, did string) error {
	err := t.cfg.Store.DeleteAccountToken(ctx, purpose, did)
	if errors.Is(err, store.ErrNotFound) {
		return ErrTokenInvalid
	}
	if err != nil {
		return fmt.Errorf("use %s token of %s: %w", purpose, did, err)
	}
	return nil
}

// parse normalizes a token as typed (spaces, lower case) and returns its
// hash, or false when it cannot be a token.
func (t *TokenService) parse(purpose store.TokenPurpose, token string) ([]byte, bool) {
	token = strings.ToUpper(strings.TrimSpace(token))
	if !tokenFormat.MatchString(token) {
		return nil, false
	}
	return t.hash(purpose, token), true
}

func (t *TokenService) hash(purpose store.TokenPurpose, token string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(token))
	return m.Sum(nil)
}

// newToken draws a token: ten base32 characters (50 bits) as XXXXX-XXXXX.
func newToken() string {
	s := rand.Text() // 26 base32 characters, upper case
	return s[:5] + "-" + s[5:10]
}

func (t *TokenService) account(ctx context.Context, did string) (store.Account, error) {
	acct, err := t.cfg.Store.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return acct, ErrAccountNotFound
	}
	if err != nil {
		return acct, fmt.Errorf("account %s: %w", did, err)
	}
	return acct, nil
}

// RequestEmailConfirmation emails a token confirming the account's address.
func (t *TokenService) RequestEmailConfirmation(ctx context.Context, did string) error {
	_, err := t.Issue(ctx, store.TokenConfirmEmail, did)
	return err
}

// ConfirmEmail marks the account's address confirmed, given the address
// (it must be the account's) and a token from RequestEmailConfirmation.
func (t *TokenService) ConfirmEmail(ctx context.Context, did, email, token string) error {
	acct, err := t.account(ctx, did)
	if err != nil {
		return err
	}
	if acct.Email == "" || acct.Email != strings.ToLower(strings.TrimSpace(email)) {
		return ErrEmailMismatch
	}
	if err := t.Consume(ctx, store.TokenConfirmEmail, did, token); err != nil {
		return err
	}
	if err := t.cfg.Store.ConfirmEmail(ctx, did, t.cfg.Now().UTC()); err != nil {
		return fmt.Errorf("confirm email of %s: %w", did, err)
	}
	return nil
}

// RequestEmailUpdate emails a token for changing a confirmed address and
// reports whether UpdateEmail will need one (not while the address is
// unconfirmed, as in the reference PDS).
func (t *TokenService) RequestEmailUpdate(ctx context.Context, did string) (tokenRequired bool, err error) {
	acct, err := t.account(ctx, did)
	if err != nil {
		return false, err
	}
	if acct.Email == "" {
		return false, ErrNoEmail
	}
	if acct.EmailConfirmedAt == nil {
		return false, nil
	}
	_, err = t.Issue(ctx, store.TokenUpdateEmail, did)
	return true, err
}

// UpdateEmail changes the account's address (unconfirmed) and revokes its
// tokens. A token from RequestEmailUpdate is required when the current
// address is confirmed.
func (t *TokenService) UpdateEmail(ctx context.Context, did, email, token string) error {
	email, err := normalizeEmail(email)
	if err != nil {
		return err
	}
	if email == "" {
		return fmt.Errorf("%w: empty", ErrInvalidEmail)
	}
	acct, err := t.account(ctx, did)
	if err != nil {
		return err
	}
	if acct.EmailConfirmedAt != nil {
		if token == "" {
			return ErrTokenRequired
		}
		if err := t.Check(ctx, store.TokenUpdateEmail, did, token); err != nil {
			return err
		}
	}
	err = t.cfg.Store.UpdateEmail(ctx, did, email)
	if errors.Is(err, store.ErrConflict) {
		return ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("update email of %s: %w", did, err)
	}
	return t.RevokeAll(ctx, did)
}

// RequestPasswordReset emails a password-reset token to the account with
// this address (ErrNoEmail when there is none).
func (t *TokenService) RequestPasswordReset(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return ErrNoEmail
	}
	acct, err := t.cfg.Store.GetAccountByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoEmail
	}
	if err != nil {
		return fmt.Errorf("account by email: %w", err)
	}
	_, err = t.Issue(ctx, store.TokenResetPassword, acct.DID)
	return err
}

// ResetPassword sets a new password for the account a reset token was
// issued to, uses the token up, ends the account's sessions (when a
// SessionRevoker is configured) and returns the account's DID.
func (t *TokenService) ResetPassword(ctx context.Context, token, password string) (string, error) {
	if err := auth.ValidatePassword(password); err != nil {
		return "", err
	}
	stored, err := t.find(ctx, store.TokenResetPassword, token)
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return "", err
	}
	// Delete first: of two requests racing with one token, one wins.
	if err := t.delete(ctx, store.TokenResetPassword, stored.DID); err != nil {
		return "", err
	}
	if err := t.cfg.Store.UpdatePassword(ctx, stored.DID, hash); err != nil {
		return "", fmt.Errorf("update password of %s: %w", stored.DID, err)
	}
	if t.cfg.Sessions != nil {
		if err := t.cfg.Sessions.RevokeSessions(ctx, stored.DID); err != nil {
			return "", fmt.Errorf("end sessions of %s: %w", stored.DID, err)
		}
	}
	t.log.Info("password reset", "did", stored.DID)
	return stored.DID, nil
}
