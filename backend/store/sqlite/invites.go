package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// CreateInviteCodes stores new codes in one transaction. Their Uses are
// ignored: uses are recorded by CreateAccount.
func (s *Store) CreateInviteCodes(ctx context.Context, codes []store.InviteCode) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		for _, c := range codes {
			_, err := w.exec(`INSERT INTO invite_codes
				(code, for_account, created_by, available_uses, disabled, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`,
				c.Code, c.ForAccount, c.CreatedBy, c.AvailableUses, c.Disabled, micros(c.CreatedAt))
			if err != nil {
				return fmt.Errorf("code %q: %w", c.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: create invite codes: %w", err)
	}
	return nil
}

// useInvite consumes one use of code for did, or fails with
// store.ErrInviteUnavailable. The single writer makes the check and the
// insert atomic.
func (w *writeTx) useInvite(code, did string, at time.Time) error {
	var (
		available, used int
		disabled        bool
	)
	err := w.tx.QueryRowContext(w.ctx, `SELECT available_uses, disabled,
		(SELECT count(*) FROM invite_uses WHERE code = c.code)
		FROM invite_codes c WHERE code = ?`, code).Scan(&available, &disabled, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %q does not exist", store.ErrInviteUnavailable, code)
	case err != nil:
		return fmt.Errorf("invite code %q: %w", code, err)
	case disabled:
		return fmt.Errorf("%w: %q is disabled", store.ErrInviteUnavailable, code)
	case used >= available:
		return fmt.Errorf("%w: %q has no uses left", store.ErrInviteUnavailable, code)
	}
	_, err = w.exec(`INSERT INTO invite_uses (code, used_by, used_at) VALUES (?, ?, ?)`, code, did, micros(at))
	if err != nil {
		return fmt.Errorf("use invite code %q: %w", code, err)
	}
	return nil
}

const inviteCols = `code, for_account, created_by, available_uses, disabled, created_at`

func scanInvite(row scanner) (store.InviteCode, error) {
	var (
		c       store.InviteCode
		created int64
	)
	err := row.Scan(&c.Code, &c.ForAccount, &c.CreatedBy, &c.AvailableUses, &c.Disabled, &created)
	if err != nil {
		return store.InviteCode{}, mapErr(err)
	}
	c.CreatedAt = fromMicros(created)
	return c, nil
}

// GetInviteCode returns a code with its uses.
func (s *Store) GetInviteCode(ctx context.Context, code string) (store.InviteCode, error) {
	codes, err := s.listInvites(ctx, `code = ?`, code)
	if err == nil && len(codes) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.InviteCode{}, fmt.Errorf("sqlite: get invite code %q: %w", code, err)
	}
	return codes[0], nil
}

// ListInviteCodes lists the codes created for an account, newest first, with
// their uses.
func (s *Store) ListInviteCodes(ctx context.Context, forAccount string) ([]store.InviteCode, error) {
	codes, err := s.listInvites(ctx, `for_account = ?`, forAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list invite codes for %s: %w", forAccount, err)
	}
	return codes, nil
}

// listInvites reads the codes matching where (a constant condition on
// invite_codes with one argument) and their uses in one read transaction.
func (s *Store) listInvites(ctx context.Context, where string, arg any) ([]store.InviteCode, error) {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to undo
	rows, err := tx.QueryContext(ctx, `SELECT `+inviteCols+` FROM invite_codes WHERE `+where+`
		ORDER BY created_at DESC, code`, arg)
	if err != nil {
		return nil, err
	}
	codes, err := collect(rows, scanInvite)
	if err != nil || len(codes) == 0 {
		return codes, err
	}
	return codes, attachUses(ctx, tx, codes, where, arg)
}

// attachUses fills in the uses of codes, which are the codes matching where.
func attachUses(ctx context.Context, tx *sql.Tx, codes []store.InviteCode, where string, arg any) error {
	rows, err := tx.QueryContext(ctx, `SELECT code, used_by, used_at FROM invite_uses
		WHERE code IN (SELECT code FROM invite_codes WHERE `+where+`)
		ORDER BY used_at, used_by`, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	byCode := make(map[string]*store.InviteCode, len(codes))
	for i := range codes {
		byCode[codes[i].Code] = &codes[i]
	}
	for rows.Next() {
		var (
			code string
			use  store.InviteUse
			at   int64
		)
		if err := rows.Scan(&code, &use.UsedBy, &at); err != nil {
			return err
		}
		use.UsedAt = fromMicros(at)
		c := byCode[code]
		c.Uses = append(c.Uses, use)
	}
	return rows.Err()
}

// DisableInviteCodes disables the named codes and the codes created for the
// named accounts.
func (s *Store) DisableInviteCodes(ctx context.Context, codes, accounts []string) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		for _, c := range codes {
			if _, err := w.exec(`UPDATE invite_codes SET disabled = 1 WHERE code = ?`, c); err != nil {
				return fmt.Errorf("code %q: %w", c, err)
			}
		}
		for _, a := range accounts {
			if _, err := w.exec(`UPDATE invite_codes SET disabled = 1 WHERE for_account = ?`, a); err != nil {
				return fmt.Errorf("codes for %s: %w", a, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: disable invite codes: %w", err)
	}
	return nil
}
