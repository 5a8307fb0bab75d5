package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// oauthRequestCols are the oauth_requests columns scanOAuthRequest reads.
const oauthRequestCols = `id, client_id, client_auth, dpop_jkt, params, expires_at,
	code_hash, did, scope, actor_did, code_used_at, family_id`

// scanOAuthRequest reads one oauth_requests row.
func scanOAuthRequest(row pgx.Row) (store.OAuthRequest, error) {
	var (
		r                         store.OAuthRequest
		expires                   int64
		did, scope, actor, family *string
		used                      *int64
	)
	err := row.Scan(&r.ID, &r.ClientID, &r.ClientAuth, &r.DPoPJKT, &r.Params, &expires,
		&r.CodeHash, &did, &scope, &actor, &used, &family)
	if err != nil {
		return store.OAuthRequest{}, mapErr(err)
	}
	r.ExpiresAt = fromMicros(expires)
	r.DID, r.Scope, r.ActorDID, r.FamilyID = text(did), text(scope), text(actor), text(family)
	r.CodeUsedAt = fromNullMicros(used)
	return r, nil
}

// CreateOAuthRequest stores a pushed authorization request.
func (s *Store) CreateOAuthRequest(ctx context.Context, r store.OAuthRequest) error {
	params := r.Params
	if params == nil {
		params = []byte{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO oauth_requests
		(id, client_id, client_auth, dpop_jkt, params, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.ClientID, r.ClientAuth, r.DPoPJKT, params, micros(r.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: create oauth request: %w", mapErr(err))
	}
	return nil
}

// GetOAuthRequest returns the request with this ID.
func (s *Store) GetOAuthRequest(ctx context.Context, id string) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.pool.QueryRow(ctx,
		`SELECT `+oauthRequestCols+` FROM oauth_requests WHERE id = $1`, id))
	if err != nil {
		return store.OAuthRequest{}, fmt.Errorf("postgres: get oauth request: %w", err)
	}
	return r, nil
}

// ApproveOAuthRequest records the code of an approved request, once.
func (s *Store) ApproveOAuthRequest(ctx context.Context, id string, g store.OAuthCodeGrant) error {
	err := s.execOne(ctx, `UPDATE oauth_requests SET code_hash = $2, did = $3, scope = $4, actor_did = $5,
		expires_at = $6 WHERE id = $1 AND code_hash IS NULL`,
		id, g.CodeHash, g.DID, g.Scope, nullText(g.ActorDID), micros(g.ExpiresAt))
	if errors.Is(err, store.ErrNotFound) {
		var n int
		if qerr := s.pool.QueryRow(ctx, `SELECT count(*) FROM oauth_requests WHERE id = $1`, id).Scan(&n); qerr != nil {
			err = qerr
		} else if n > 0 {
			err = fmt.Errorf("%w: oauth request already approved", store.ErrConflict)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: approve oauth request: %w", err)
	}
	return nil
}

// DeleteOAuthRequest forgets a request.
func (s *Store) DeleteOAuthRequest(ctx context.Context, id string) error {
	if err := s.execOne(ctx, `DELETE FROM oauth_requests WHERE id = $1`, id); err != nil {
		return fmt.Errorf("postgres: delete oauth request: %w", err)
	}
	return nil
}

// UseOAuthCode marks a code used, once: the conditional UPDATE lets exactly
// one of two concurrent uses through.
func (s *Store) UseOAuthCode(ctx context.Context, codeHash []byte, familyID string, at time.Time) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.pool.QueryRow(ctx, `UPDATE oauth_requests SET code_used_at = $2, family_id = $3
		WHERE code_hash = $1 AND code_used_at IS NULL RETURNING `+oauthRequestCols, codeHash, micros(at), familyID))
	if errors.Is(err, store.ErrNotFound) {
		var gerr error
		r, gerr = scanOAuthRequest(s.pool.QueryRow(ctx,
			`SELECT `+oauthRequestCols+` FROM oauth_requests WHERE code_hash = $1`, codeHash))
		if gerr == nil {
			err = fmt.Errorf("%w: authorization code already used", store.ErrConflict)
		}
	}
	if err != nil {
		return r, fmt.Errorf("postgres: use oauth code: %w", err)
	}
	return r, nil
}

// oauthTokenCols are the oauth_tokens columns scanOAuthToken reads, in the
// order insertOAuthTokenSQL writes them.
const oauthTokenCols = `hash, family_id, did, actor_did, client_id, client_auth, dpop_jkt, scope,
	created_at, expires_at, family_expires_at, rotated_at, revoked_at`

const insertOAuthTokenSQL = `INSERT INTO oauth_tokens (` + oauthTokenCols + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

// oauthTokenArgs are a token's insertOAuthTokenSQL parameters.
func oauthTokenArgs(t store.OAuthToken) []any {
	return []any{t.Hash, t.FamilyID, t.DID, nullText(t.ActorDID), t.ClientID, t.ClientAuth, t.DPoPJKT,
		t.Scope, micros(t.CreatedAt), micros(t.ExpiresAt), micros(t.FamilyExpiresAt),
		nullMicros(t.RotatedAt), nullMicros(t.RevokedAt)}
}

// scanOAuthToken reads one oauth_tokens row.
func scanOAuthToken(row pgx.Row) (store.OAuthToken, error) {
	var (
		t                        store.OAuthToken
		actor                    *string
		created, expires, famExp int64
		rotated, revoked         *int64
	)
	err := row.Scan(&t.Hash, &t.FamilyID, &t.DID, &actor, &t.ClientID, &t.ClientAuth, &t.DPoPJKT,
		&t.Scope, &created, &expires, &famExp, &rotated, &revoked)
	if err != nil {
		return store.OAuthToken{}, mapErr(err)
	}
	t.ActorDID = text(actor)
	t.CreatedAt, t.ExpiresAt, t.FamilyExpiresAt = fromMicros(created), fromMicros(expires), fromMicros(famExp)
	t.RotatedAt, t.RevokedAt = fromNullMicros(rotated), fromNullMicros(revoked)
	return t, nil
}

// CreateOAuthToken stores a new refresh token.
func (s *Store) CreateOAuthToken(ctx context.Context, t store.OAuthToken) error {
	if _, err := s.pool.Exec(ctx, insertOAuthTokenSQL, oauthTokenArgs(t)...); err != nil {
		return fmt.Errorf("postgres: create oauth token for %s: %w", t.DID, mapErr(err))
	}
	return nil
}

// GetOAuthToken returns the refresh token with this hash.
func (s *Store) GetOAuthToken(ctx context.Context, hash []byte) (store.OAuthToken, error) {
	t, err := scanOAuthToken(s.pool.QueryRow(ctx,
		`SELECT `+oauthTokenCols+` FROM oauth_tokens WHERE hash = $1`, hash))
	if err != nil {
		return store.OAuthToken{}, fmt.Errorf("postgres: get oauth token: %w", err)
	}
	return t, nil
}

// RotateOAuthToken marks old rotated and stores next, atomically. The old
// token's row is locked first, so of two concurrent rotations of one token
// exactly one succeeds and the other gets store.ErrConflict.
func (s *Store) RotateOAuthToken(ctx context.Context, oldHash []byte, at time.Time, next store.OAuthToken) error {
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queueRow(`SELECT rotated_at, revoked_at FROM oauth_tokens WHERE hash = $1 FOR UPDATE`,
			func(row pgx.Row) error {
				var rotated, revoked *int64
				if err := row.Scan(&rotated, &revoked); err != nil {
					return mapErr(err)
				}
				if rotated != nil || revoked != nil {
					return fmt.Errorf("%w: refresh token already rotated or revoked", store.ErrConflict)
				}
				return nil
			}, oldHash)
		if err := tx.flush(ctx); err != nil {
			return err
		}
		tx.queue(`UPDATE oauth_tokens SET rotated_at = $2 WHERE hash = $1`, oldHash, micros(at))
		tx.queue(insertOAuthTokenSQL, oauthTokenArgs(next)...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: rotate oauth token: %w", err)
	}
	return nil
}

// RevokeOAuthFamily revokes every token of a family.
func (s *Store) RevokeOAuthFamily(ctx context.Context, familyID string, at time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE oauth_tokens SET revoked_at = $2
		WHERE family_id = $1 AND revoked_at IS NULL`, familyID, micros(at))
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke oauth token family: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RevokeOAuthTokens revokes an account's tokens, or those one actor
// obtained for it.
func (s *Store) RevokeOAuthTokens(ctx context.Context, did, actorDID string, at time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE oauth_tokens SET revoked_at = $3
		WHERE did = $1 AND ($2 = '' OR actor_did = $2) AND revoked_at IS NULL`, did, actorDID, micros(at))
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke oauth tokens of %s: %w", did, err)
	}
	return tag.RowsAffected(), nil
}

// OAuthFamilyActive reports whether a family has a current token.
func (s *Store) OAuthFamilyActive(ctx context.Context, familyID string, now time.Time) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM oauth_tokens WHERE family_id = $1
		AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > $2 AND family_expires_at > $2)`,
		familyID, micros(now)).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("postgres: oauth token family: %w", err)
	}
	return ok, nil
}

// ListOAuthSessions lists an account's live sign-ins.
func (s *Store) ListOAuthSessions(ctx context.Context, did string, now time.Time) ([]store.OAuthToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+oauthTokenCols+` FROM oauth_tokens
		WHERE did = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > $2 AND family_expires_at > $2
		ORDER BY created_at DESC, family_id`, did, micros(now))
	out, err := collect(rows, err, scanOAuthToken)
	if err != nil {
		return nil, fmt.Errorf("postgres: list oauth sessions of %s: %w", did, err)
	}
	return out, nil
}

// AddOAuthDeviceAccount remembers an account signed in on a device.
func (s *Store) AddOAuthDeviceAccount(ctx context.Context, a store.OAuthDeviceAccount) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO oauth_device_accounts (device_hash, did, created_at, expires_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (device_hash, did) DO UPDATE
		SET created_at = excluded.created_at, expires_at = excluded.expires_at`,
		a.DeviceHash, a.DID, micros(a.CreatedAt), micros(a.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: add oauth device account %s: %w", a.DID, mapErr(err))
	}
	return nil
}

// ListOAuthDeviceAccounts lists the live accounts of a device.
func (s *Store) ListOAuthDeviceAccounts(ctx context.Context, deviceHash []byte, now time.Time) ([]store.OAuthDeviceAccount, error) {
	rows, err := s.pool.Query(ctx, `SELECT device_hash, did, created_at, expires_at
		FROM oauth_device_accounts WHERE device_hash = $1 AND expires_at > $2 ORDER BY created_at, did`,
		deviceHash, micros(now))
	out, err := collect(rows, err, func(row pgx.Row) (store.OAuthDeviceAccount, error) {
		var (
			a                store.OAuthDeviceAccount
			created, expires int64
		)
		if err := row.Scan(&a.DeviceHash, &a.DID, &created, &expires); err != nil {
			return a, err
		}
		a.CreatedAt, a.ExpiresAt = fromMicros(created), fromMicros(expires)
		return a, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list oauth device accounts: %w", err)
	}
	return out, nil
}

// RemoveOAuthDeviceAccount signs an account out of a device.
func (s *Store) RemoveOAuthDeviceAccount(ctx context.Context, deviceHash []byte, did string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM oauth_device_accounts WHERE device_hash = $1 AND did = $2`, deviceHash, did)
	if err != nil {
		return fmt.Errorf("postgres: remove oauth device account %s: %w", did, err)
	}
	return nil
}

// DeleteExpiredOAuth removes expired requests, tokens and device entries.
func (s *Store) DeleteExpiredOAuth(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, q := range []string{
		`DELETE FROM oauth_requests WHERE expires_at < $1`,
		`DELETE FROM oauth_tokens WHERE expires_at < $1 OR family_expires_at < $1`,
		`DELETE FROM oauth_device_accounts WHERE expires_at < $1`,
	} {
		tag, err := s.pool.Exec(ctx, q, micros(now))
		if err != nil {
			return total, fmt.Errorf("postgres: delete expired oauth rows: %w", err)
		}
		total += tag.RowsAffected()
	}
	return total, nil
}
