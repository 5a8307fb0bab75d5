package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

const insertRefreshTokenSQL = `INSERT INTO refresh_tokens (id, did, app_password_name, expires_at, next_id)
	VALUES ($1, $2, $3, $4, $5)`

// refreshTokenArgs are a token's insertRefreshTokenSQL parameters.
func refreshTokenArgs(t store.RefreshToken) []any {
	return []any{t.ID, t.DID, nullText(t.AppPasswordName), micros(t.ExpiresAt), nullText(t.NextID)}
}

// CreateRefreshToken stores a new refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	if _, err := s.pool.Exec(ctx, insertRefreshTokenSQL, refreshTokenArgs(t)...); err != nil {
		return fmt.Errorf("postgres: create refresh token for %s: %w", t.DID, mapErr(err))
	}
	return nil
}

// GetRefreshToken returns the token with this ID.
func (s *Store) GetRefreshToken(ctx context.Context, id string) (store.RefreshToken, error) {
	var (
		t         store.RefreshToken
		app, next *string
		expires   int64
	)
	err := s.pool.QueryRow(ctx, `SELECT id, did, app_password_name, expires_at, next_id
		FROM refresh_tokens WHERE id = $1`, id).Scan(&t.ID, &t.DID, &app, &expires, &next)
	if err != nil {
		return store.RefreshToken{}, fmt.Errorf("postgres: get refresh token: %w", mapErr(err))
	}
	t.AppPasswordName = text(app)
	t.ExpiresAt = fromMicros(expires)
	t.NextID = text(next)
	return t, nil
}

// RotateRefreshToken marks old as replaced by next, shortens old's expiry to
// graceUntil (never lengthens it) and stores next, atomically. The old
// token's row is locked first, so of two concurrent rotations of one token
// exactly one succeeds and the other gets store.ErrConflict.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, graceUntil time.Time, next store.RefreshToken) error {
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queueRow(`SELECT next_id FROM refresh_tokens WHERE id = $1 FOR UPDATE`,
			func(row pgx.Row) error {
				var rotated *string
				if err := row.Scan(&rotated); err != nil {
					return mapErr(err)
				}
				if rotated != nil {
					return fmt.Errorf("%w: refresh token already rotated", store.ErrConflict)
				}
				return nil
			}, oldID)
		if err := tx.flush(ctx); err != nil {
			return err
		}
		tx.queue(`UPDATE refresh_tokens SET next_id = $2, expires_at = least(expires_at, $3)
			WHERE id = $1`, oldID, next.ID, micros(graceUntil))
		tx.queue(insertRefreshTokenSQL, refreshTokenArgs(next)...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: rotate refresh token: %w", err)
	}
	return nil
}

// DeleteRefreshToken removes one token.
func (s *Store) DeleteRefreshToken(ctx context.Context, id string) error {
	if err := s.execOne(ctx, `DELETE FROM refresh_tokens WHERE id = $1`, id); err != nil {
		return fmt.Errorf("postgres: delete refresh token: %w", err)
	}
	return nil
}

// DeleteAccountRefreshTokens removes every refresh token of an account.
func (s *Store) DeleteAccountRefreshTokens(ctx context.Context, did string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM refresh_tokens WHERE did = $1`, did)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete refresh tokens of %s: %w", did, err)
	}
	return tag.RowsAffected(), nil
}

// DeleteExpiredRefreshTokens removes the tokens that expired before now.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at < $1`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired refresh tokens: %w", err)
	}
	return tag.RowsAffected(), nil
}

// CreateAppPassword stores an app password.
func (s *Store) CreateAppPassword(ctx context.Context, p store.AppPassword) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO app_passwords (did, name, hash, privileged, created_at)
		VALUES ($1, $2, $3, $4, $5)`, p.DID, p.Name, p.Hash, p.Privileged, micros(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: create app password %q for %s: %w", p.Name, p.DID, mapErr(err))
	}
	return nil
}

const appPasswordCols = `did, name, hash, privileged, created_at`

func scanAppPassword(row pgx.Row) (store.AppPassword, error) {
	var (
		p       store.AppPassword
		created int64
	)
	if err := row.Scan(&p.DID, &p.Name, &p.Hash, &p.Privileged, &created); err != nil {
		return store.AppPassword{}, mapErr(err)
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}

// ListAppPasswords lists an account's app passwords, newest first.
func (s *Store) ListAppPasswords(ctx context.Context, did string) ([]store.AppPassword, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+appPasswordCols+` FROM app_passwords
		WHERE did = $1 ORDER BY created_at DESC, name`, did)
	list, err := collect(rows, err, scanAppPassword)
	if err != nil {
		return nil, fmt.Errorf("postgres: list app passwords of %s: %w", did, err)
	}
	return list, nil
}

// GetAppPasswordByHash finds an account's app password by its hash.
func (s *Store) GetAppPasswordByHash(ctx context.Context, did string, hash []byte) (store.AppPassword, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+appPasswordCols+` FROM app_passwords
		WHERE did = $1 AND hash = $2`, did, hash)
	p, err := scanAppPassword(row)
	if err != nil {
		return store.AppPassword{}, fmt.Errorf("postgres: get app password of %s: %w", did, err)
	}
	return p, nil
}

// RevokeAppPassword deletes the app password and the refresh tokens issued
// through it, in one transaction.
func (s *Store) RevokeAppPassword(ctx context.Context, did, name string) error {
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queueExec(`DELETE FROM app_passwords WHERE did = $1 AND name = $2`, oneRow, did, name)
		tx.queue(`DELETE FROM refresh_tokens WHERE did = $1 AND app_password_name = $2`, did, name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: revoke app password %q of %s: %w", name, did, err)
	}
	return nil
}
