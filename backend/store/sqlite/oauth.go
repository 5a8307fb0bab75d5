package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// oauthRequestCols are the oauth_requests columns scanOAuthRequest reads.
const oauthRequestCols = `id, client_id, client_auth, dpop_jkt, params, expires_at,
	code_hash, did, scope, actor_did, code_used_at, family_id`

// scanOAuthRequest reads one oauth_requests row.
func scanOAuthRequest(row scanner) (store.OAuthRequest, error) {
	var (
		r                         store.OAuthRequest
		expires                   int64
		did, scope, actor, family sql.NullString
		used                      sql.NullInt64
	)
	err := row.Scan(&r.ID, &r.ClientID, &r.ClientAuth, &r.DPoPJKT, &r.Params, &expires,
		&r.CodeHash, &did, &scope, &actor, &used, &family)
	if err != nil {
		return store.OAuthRequest{}, mapErr(err)
	}
	r.ExpiresAt = fromMicros(expires)
	r.DID, r.Scope, r.ActorDID, r.FamilyID = did.String, scope.String, actor.String, family.String
	r.CodeUsedAt = fromNullMicros(used)
	return r, nil
}

// CreateOAuthRequest stores a pushed authorization request.
func (s *Store) CreateOAuthRequest(ctx context.Context, r store.OAuthRequest) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO oauth_requests
		(id, client_id, client_auth, dpop_jkt, params, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, r.ClientID, r.ClientAuth, r.DPoPJKT, nonNil(r.Params), micros(r.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: create oauth request: %w", mapErr(err))
	}
	return nil
}

// GetOAuthRequest returns the request with this ID.
func (s *Store) GetOAuthRequest(ctx context.Context, id string) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.reader.QueryRowContext(ctx,
		`SELECT `+oauthRequestCols+` FROM oauth_requests WHERE id = ?`, id))
	if err != nil {
		return store.OAuthRequest{}, fmt.Errorf("sqlite: get oauth request: %w", err)
	}
	return r, nil
}

// ApproveOAuthRequest records the code of an approved request, once.
func (s *Store) ApproveOAuthRequest(ctx context.Context, id string, g store.OAuthCodeGrant) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		err := w.execOne(`UPDATE oauth_requests SET code_hash = ?, did = ?, scope = ?, actor_did = ?,
			expires_at = ? WHERE id = ? AND code_hash IS NULL`,
			g.CodeHash, g.DID, g.Scope, nullString(g.ActorDID), micros(g.ExpiresAt), id)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var n int
		if err := w.tx.QueryRowContext(w.ctx, `SELECT count(*) FROM oauth_requests WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return fmt.Errorf("%w: oauth request already approved", store.ErrConflict)
	})
	if err != nil {
		return fmt.Errorf("sqlite: approve oauth request: %w", err)
	}
	return nil
}

// DeleteOAuthRequest forgets a request.
func (s *Store) DeleteOAuthRequest(ctx context.Context, id string) error {
	if err := s.execOne(ctx, `DELETE FROM oauth_requests WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete oauth request: %w", err)
	}
	return nil
}

// UseOAuthCode marks a code used, once; the single writer makes the check
// and the update one step.
func (s *Store) UseOAuthCode(ctx context.Context, codeHash []byte, familyID string, at time.Time) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		r, err = scanOAuthRequest(w.tx.QueryRowContext(w.ctx,
			`SELECT `+oauthRequestCols+` FROM oauth_requests WHERE code_hash = ?`, codeHash))
		if err != nil {
			return err
		}
		if r.CodeUsedAt != nil {
			return fmt.Errorf("%w: authorization code already used", store.ErrConflict)
		}
		_, err = w.exec(`UPDATE oauth_requests SET code_used_at = ?, family_id = ? WHERE id = ?`,
			micros(at), familyID, r.ID)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("sqlite: use oauth code: %w", err)
	}
	used := at.UTC().Truncate(time.Microsecond)
	r.CodeUsedAt, r.FamilyID = &used, familyID
	return r, nil
}

// oauthTokenCols are the oauth_tokens columns scanOAuthToken reads, in the
// order insertOAuthTokenSQL writes them.
const oauthTokenCols = `hash, family_id, did, actor_did, client_id, client_auth, dpop_jkt, scope,
	created_at, expires_at, family_expires_at, rotated_at, revoked_at`

const insertOAuthTokenSQL = `INSERT INTO oauth_tokens (` + oauthTokenCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// oauthTokenArgs are a token's insertOAuthTokenSQL parameters.
func oauthTokenArgs(t store.OAuthToken) []any {
	return []any{t.Hash, t.FamilyID, t.DID, nullString(t.ActorDID), t.ClientID, t.ClientAuth, t.DPoPJKT,
		t.Scope, micros(t.CreatedAt), micros(t.ExpiresAt), micros(t.FamilyExpiresAt),
		nullMicros(t.RotatedAt), nullMicros(t.RevokedAt)}
}

// scanOAuthToken reads one oauth_tokens row.
func scanOAuthToken(row scanner) (store.OAuthToken, error) {
	var (
		t                        store.OAuthToken
		actor                    sql.NullString
		created, expires, famExp int64
		rotated, revoked         sql.NullInt64
	)
	err := row.Scan(&t.Hash, &t.FamilyID, &t.DID, &actor, &t.ClientID, &t.ClientAuth, &t.DPoPJKT,
		&t.Scope, &created, &expires, &famExp, &rotated, &revoked)
	if err != nil {
		return store.OAuthToken{}, mapErr(err)
	}
	t.ActorDID = actor.String
	t.CreatedAt, t.ExpiresAt, t.FamilyExpiresAt = fromMicros(created), fromMicros(expires), fromMicros(famExp)
	t.RotatedAt, t.RevokedAt = fromNullMicros(rotated), fromNullMicros(revoked)
	return t, nil
}

// CreateOAuthToken stores a new refresh token.
func (s *Store) CreateOAuthToken(ctx context.Context, t store.OAuthToken) error {
	if _, err := s.writer.ExecContext(ctx, insertOAuthTokenSQL, oauthTokenArgs(t)...); err != nil {
		return fmt.Errorf("sqlite: create oauth token for %s: %w", t.DID, mapErr(err))
	}
	return nil
}

// GetOAuthToken returns the refresh token with this hash.
func (s *Store) GetOAuthToken(ctx context.Context, hash []byte) (store.OAuthToken, error) {
	t, err := scanOAuthToken(s.reader.QueryRowContext(ctx,
		`SELECT `+oauthTokenCols+` FROM oauth_tokens WHERE hash = ?`, hash))
	if err != nil {
		return store.OAuthToken{}, fmt.Errorf("sqlite: get oauth token: %w", err)
	}
	return t, nil
}

// RotateOAuthToken marks old rotated and stores next, atomically.
func (s *Store) RotateOAuthToken(ctx context.Context, oldHash []byte, at time.Time, next store.OAuthToken) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		err := w.execOne(`UPDATE oauth_tokens SET rotated_at = ?
			WHERE hash = ? AND rotated_at IS NULL AND revoked_at IS NULL`, micros(at), oldHash)
		if errors.Is(err, store.ErrNotFound) {
			var n int
			if err := w.tx.QueryRowContext(w.ctx, `SELECT count(*) FROM oauth_tokens WHERE hash = ?`, oldHash).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return store.ErrNotFound
			}
			return fmt.Errorf("%w: refresh token already rotated or revoked", store.ErrConflict)
		}
		if err != nil {
			return err
		}
		_, err = w.exec(insertOAuthTokenSQL, oauthTokenArgs(next)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: rotate oauth token: %w", err)
	}
	return nil
}

// RevokeOAuthFamily revokes every token of a family.
func (s *Store) RevokeOAuthFamily(ctx context.Context, familyID string, at time.Time) (int64, error) {
	n, err := s.execCount(ctx, `UPDATE oauth_tokens SET revoked_at = ?
		WHERE family_id = ? AND revoked_at IS NULL`, micros(at), familyID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke oauth token family: %w", err)
	}
	return n, nil
}

// RevokeOAuthTokens revokes an account's tokens, or those one actor
// obtained for it.
func (s *Store) RevokeOAuthTokens(ctx context.Context, did, actorDID string, at time.Time) (int64, error) {
	n, err := s.execCount(ctx, `UPDATE oauth_tokens SET revoked_at = ?
		WHERE did = ? AND (? = '' OR actor_did = ?) AND revoked_at IS NULL`,
		micros(at), did, actorDID, actorDID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke oauth tokens of %s: %w", did, err)
	}
	return n, nil
}

// OAuthFamilyActive reports whether a family has a current token.
func (s *Store) OAuthFamilyActive(ctx context.Context, familyID string, now time.Time) (bool, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM oauth_tokens WHERE family_id = ?
		AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND family_expires_at > ?`,
		familyID, micros(now), micros(now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: oauth token family: %w", err)
	}
	return n > 0, nil
}

// ListOAuthSessions lists an account's live sign-ins.
func (s *Store) ListOAuthSessions(ctx context.Context, did string, now time.Time) ([]store.OAuthToken, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+oauthTokenCols+` FROM oauth_tokens
		WHERE did = ? AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND family_expires_at > ?2
		ORDER BY created_at DESC, family_id`, did, micros(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list oauth sessions of %s: %w", did, err)
	}
	out, err := collect(rows, scanOAuthToken)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list oauth sessions of %s: %w", did, err)
	}
	return out, nil
}

// AddOAuthDeviceAccount remembers an account signed in on a device.
func (s *Store) AddOAuthDeviceAccount(ctx context.Context, a store.OAuthDeviceAccount) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO oauth_device_accounts (device_hash, did, created_at, expires_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (device_hash, did) DO UPDATE
		SET created_at = excluded.created_at, expires_at = excluded.expires_at`,
		a.DeviceHash, a.DID, micros(a.CreatedAt), micros(a.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: add oauth device account %s: %w", a.DID, mapErr(err))
	}
	return nil
}

// ListOAuthDeviceAccounts lists the live accounts of a device.
func (s *Store) ListOAuthDeviceAccounts(ctx context.Context, deviceHash []byte, now time.Time) ([]store.OAuthDeviceAccount, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT device_hash, did, created_at, expires_at
		FROM oauth_device_accounts WHERE device_hash = ? AND expires_at > ? ORDER BY created_at, did`,
		deviceHash, micros(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list oauth device accounts: %w", err)
	}
	out, err := collect(rows, func(row scanner) (store.OAuthDeviceAccount, error) {
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
		return nil, fmt.Errorf("sqlite: list oauth device accounts: %w", err)
	}
	return out, nil
}

// RemoveOAuthDeviceAccount signs an account out of a device.
func (s *Store) RemoveOAuthDeviceAccount(ctx context.Context, deviceHash []byte, did string) error {
	_, err := s.writer.ExecContext(ctx, `DELETE FROM oauth_device_accounts WHERE device_hash = ? AND did = ?`, deviceHash, did)
	if err != nil {
		return fmt.Errorf("sqlite: remove oauth device account %s: %w", did, err)
	}
	return nil
}

// DeleteExpiredOAuth removes expired requests, tokens and device entries.
func (s *Store) DeleteExpiredOAuth(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	err := s.inTx(ctx, func(w *writeTx) error {
		for _, q := range []string{
			`DELETE FROM oauth_requests WHERE expires_at < ?`,
			`DELETE FROM oauth_tokens WHERE expires_at < ? OR family_expires_at < ?1`,
			`DELETE FROM oauth_device_accounts WHERE expires_at < ?`,
		} {
			res, err := w.exec(q, micros(now))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired oauth rows: %w", err)
	}
	return total, nil
}
