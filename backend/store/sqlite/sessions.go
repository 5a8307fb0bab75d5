package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// CreateRefreshToken stores a new refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO refresh_tokens
		(id, did, app_password_name, expires_at, next_id) VALUES (?, ?, ?, ?, ?)`,
		t.ID, t.DID, nullString(t.AppPasswordName), micros(t.ExpiresAt), nullString(t.NextID))
	if err != nil {
		return fmt.Errorf("sqlite: create refresh token for %s: %w", t.DID, mapErr(err))
	}
	return nil
}

// GetRefreshToken returns the token with this ID.
func (s *Store) GetRefreshToken(ctx context.Context, id string) (store.RefreshToken, error) {
	var (
		t         store.RefreshToken
		app, next sql.NullString
		expires   int64
	)
	err := s.reader.QueryRowContext(ctx, `SELECT id, did, app_password_name, expires_at, next_id
		FROM refresh_tokens WHERE id = ?`, id).Scan(&t.ID, &t.DID, &app, &expires, &next)
	if err != nil {
		return store.RefreshToken{}, fmt.Errorf("sqlite: get refresh token: %w", mapErr(err))
	}
	t.AppPasswordName = app.String
	t.ExpiresAt = fromMicros(expires)
	t.NextID = next.String
	return t, nil
}

// RotateRefreshToken marks old as replaced by next, shortens old's expiry to
// graceUntil (never lengthens it) and stores next, atomically.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, graceUntil time.Time, next store.RefreshToken) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		err := w.execOne(`UPDATE refresh_tokens SET next_id = ?, expires_at = min(expires_at, ?)
			WHERE id = ? AND next_id IS NULL`, next.ID, micros(graceUntil), oldID)
		if errors.Is(err, store.ErrNotFound) {
			return w.whyNotRotated(oldID)
		}
		if err != nil {
			return err
		}
		_, err = w.exec(`INSERT INTO refresh_tokens (id, did, app_password_name, expires_at, next_id)
			VALUES (?, ?, ?, ?, ?)`, next.ID, next.DID, nullString(next.AppPasswordName),
			micros(next.ExpiresAt), nullString(next.NextID))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: rotate refresh token: %w", err)
	}
	return nil
}

// whyNotRotated tells a missing token (ErrNotFound) from one already rotated
// (ErrConflict).
func (w *writeTx) whyNotRotated(id string) error {
	var n int
	err := w.tx.QueryRowContext(w.ctx, `SELECT count(*) FROM refresh_tokens WHERE id = ?`, id).Scan(&n)
	switch {
	case err != nil:
		return err
	case n == 0:
		return store.ErrNotFound
	default:
		return fmt.Errorf("%w: refresh token already rotated", store.ErrConflict)
	}
}

// DeleteRefreshToken removes one token.
func (s *Store) DeleteRefreshToken(ctx context.Context, id string) error {
	if err := s.execOne(ctx, `DELETE FROM refresh_tokens WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete refresh token: %w", err)
	}
	return nil
}

// DeleteAccountRefreshTokens removes every refresh token of an account.
func (s *Store) DeleteAccountRefreshTokens(ctx context.Context, did string) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE did = ?`, did)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete refresh tokens of %s: %w", did, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete refresh tokens of %s: %w", did, err)
	}
	return n, nil
}

// DeleteExpiredRefreshTokens removes the tokens that expired before now.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE expires_at < ?`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired refresh tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired refresh tokens: %w", err)
	}
	return n, nil
}

// CreateAppPassword stores an app password.
func (s *Store) CreateAppPassword(ctx context.Context, p store.AppPassword) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO app_passwords (did, name, hash, privileged, created_at)
		VALUES (?, ?, ?, ?, ?)`, p.DID, p.Name, p.Hash, p.Privileged, micros(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: create app password %q for %s: %w", p.Name, p.DID, mapErr(err))
	}
	return nil
}

const appPasswordCols = `did, name, hash, privileged, created_at`

func scanAppPassword(row scanner) (store.AppPassword, error) {
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
	rows, err := s.reader.QueryContext(ctx, `SELECT `+appPasswordCols+` FROM app_passwords
		WHERE did = ? ORDER BY created_at DESC, name`, did)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list app passwords of %s: %w", did, err)
	}
	ps, err := collect(rows, scanAppPassword)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list app passwords of %s: %w", did, err)
	}
	return ps, nil
}

// GetAppPasswordByHash finds an account's app password by its hash.
func (s *Store) GetAppPasswordByHash(ctx context.Context, did string, hash []byte) (store.AppPassword, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+appPasswordCols+` FROM app_passwords
		WHERE did = ? AND hash = ?`, did, hash)
	p, err := scanAppPassword(row)
	if err != nil {
		return store.AppPassword{}, fmt.Errorf("sqlite: get app password of %s: %w", did, err)
	}
	return p, nil
}

// RevokeAppPassword deletes the app password and the refresh tokens issued
// through it.
func (s *Store) RevokeAppPassword(ctx context.Context, did, name string) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		if err := w.execOne(`DELETE FROM app_passwords WHERE did = ? AND name = ?`, did, name); err != nil {
			return err
		}
		_, err := w.exec(`DELETE FROM refresh_tokens WHERE did = ? AND app_password_name = ?`, did, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: revoke app password %q of %s: %w", name, did, err)
	}
	return nil
}
