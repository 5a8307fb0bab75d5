package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// CreateInviteCodes stores new codes in one transaction. Their Uses are
// ignored: uses are recorded by CreateAccount.
func (s *Store) CreateInviteCodes(ctx context.Context, codes []store.InviteCode) error {
	if len(codes) == 0 {
		return nil
	}
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		for _, c := range codes {
			tx.queue(`INSERT INTO invite_codes
				(code, for_account, created_by, available_uses, disabled, created_at)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				c.Code, c.ForAccount, c.CreatedBy, c.AvailableUses, c.Disabled, micros(c.CreatedAt))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: create invite codes: %w", err)
	}
	return nil
}

// GetInviteCode returns a code with its uses.
func (s *Store) GetInviteCode(ctx context.Context, code string) (store.InviteCode, error) {
	codes, err := s.listInvites(ctx, `c.code = $1`, code)
	if err == nil && len(codes) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.InviteCode{}, fmt.Errorf("postgres: get invite code %q: %w", code, err)
	}
	return codes[0], nil
}

// ListInviteCodes lists the codes created for an account with their uses,
// newest first.
func (s *Store) ListInviteCodes(ctx context.Context, forAccount string) ([]store.InviteCode, error) {
	codes, err := s.listInvites(ctx, `c.for_account = $1`, forAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: list invite codes for %s: %w", forAccount, err)
	}
	return codes, nil
}

// listInvites reads the codes matching where (a constant condition on c,
// with one parameter) with their uses, in one statement (one snapshot).
func (s *Store) listInvites(ctx context.Context, where string, arg any) ([]store.InviteCode, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.code, c.for_account, c.created_by, c.available_uses,
			c.disabled, c.created_at, u.used_by, u.used_at
		FROM invite_codes c LEFT JOIN invite_uses u ON u.code = c.code
		WHERE `+where+`
		ORDER BY c.created_at DESC, c.code, u.used_at, u.used_by`, arg)
	if err != nil {
		return nil, err
	}
	return scanInviteRows(rows)
}

// scanInviteRow reads one row of listInvites: a code with one of its uses
// (or none). Rows of one code are adjacent; a new code starts a new entry.
func scanInviteRow(row pgx.Row, codes []store.InviteCode) ([]store.InviteCode, error) {
	var (
		c       store.InviteCode
		created int64
		usedBy  *string
		usedAt  *int64
	)
	err := row.Scan(&c.Code, &c.ForAccount, &c.CreatedBy, &c.AvailableUses, &c.Disabled, &created,
		&usedBy, &usedAt)
	if err != nil {
		return nil, err
	}
	if n := len(codes); n == 0 || codes[n-1].Code != c.Code {
		c.CreatedAt = fromMicros(created)
		codes = append(codes, c)
	}
	if usedBy != nil && usedAt != nil {
		last := &codes[len(codes)-1]
		last.Uses = append(last.Uses, store.InviteUse{UsedBy: *usedBy, UsedAt: fromMicros(*usedAt)})
	}
	return codes, nil
}

// DisableInviteCodes disables the named codes and the codes created for the
// named accounts.
func (s *Store) DisableInviteCodes(ctx context.Context, codes, accounts []string) error {
	_, err := s.pool.Exec(ctx, `UPDATE invite_codes SET disabled = TRUE
		WHERE code = ANY($1::text[]) OR for_account = ANY($2::text[])`, nonNil(codes), nonNil(accounts))
	if err != nil {
		return fmt.Errorf("postgres: disable invite codes: %w", err)
	}
	return nil
}

// nonNil returns an empty slice for nil, so the array parameter is empty
// rather than NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
