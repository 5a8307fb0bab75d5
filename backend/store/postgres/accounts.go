package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearthpds/hearth/backend/store"
)

// accountCols are the accounts columns in the order scanAccount reads them.
const accountCols = `did, handle, email, email_confirmed_at, password_hash,
	signing_key, rotation_key, status, invite_code, created_at,
	takedown_ref, invites_disabled, deactivated_at`

func scanAccount(row pgx.Row) (store.Account, error) {
	var (
		a                      store.Account
		email, inviteCode      *string
		takedown               *string
		confirmed, deactivated *int64
		status                 string
		createdAt              int64
	)
	err := row.Scan(&a.DID, &a.Handle, &email, &confirmed, &a.PasswordHash,
		&a.SigningKey, &a.RotationKey, &status, &inviteCode, &createdAt,
		&takedown, &a.InvitesDisabled, &deactivated)
	if err != nil {
		return store.Account{}, mapErr(err)
	}
	a.TakedownRef = text(takedown)
	a.DeactivatedAt = fromNullMicros(deactivated)
	a.Email = text(email)
	a.EmailConfirmedAt = fromNullMicros(confirmed)
	a.Status = store.AccountStatus(status)
	a.InviteCode = text(inviteCode)
	a.CreatedAt = fromMicros(createdAt)
	return a, nil
}

// CreateAccount inserts the account, consumes the invite, lands the genesis
// commit and appends the events in one transaction; see
// [store.Accounts.CreateAccount]. Handle and email are stored lower-case.
func (s *Store) CreateAccount(ctx context.Context, a store.NewAccount) ([]int64, error) {
	did := a.Account.DID
	if a.Genesis != nil && a.Genesis.DID != did {
		return nil, fmt.Errorf("postgres: create account %s: genesis commit is for %s", did, a.Genesis.DID)
	}
	var (
		plan *commitPlan
		seqs []int64
	)
	if a.Genesis != nil {
		plan = newCommitPlan([]store.Commit{*a.Genesis})
	}
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		queueInsertAccount(tx, a)
		queueInsertPendingPLCOp(tx, a)
		if a.InviteCode != "" {
			queueUseInvite(tx, a.InviteCode, did, a.Account.CreatedAt)
		}
		if plan != nil {
			plan.queueLocks(tx)
		}
		if err := tx.flush(ctx); err != nil {
			return err
		}
		if plan != nil {
			plan.queueWrites(tx)
			if err := plan.results[0].Err; err != nil {
				return fmt.Errorf("genesis: %w", err)
			}
		}
		seqs = tx.addEvents(a.Events)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: create account %s: %w", did, err)
	}
	if plan != nil && a.Genesis.Event != nil {
		seqs = append([]int64{plan.results[0].Seq}, seqs...)
	}
	return seqs, nil
}

// queueInsertAccount queues the account's row; a taken DID, handle or email
// fails the batch with a unique violation (store.ErrConflict).
func queueInsertAccount(tx *writeTx, a store.NewAccount) {
	acc := a.Account
	status := acc.Status
	if status == "" {
		status = store.StatusActive
	}
	code := acc.InviteCode
	if a.InviteCode != "" {
		code = a.InviteCode
	}
	tx.queue(`INSERT INTO accounts (`+accountCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		acc.DID, strings.ToLower(acc.Handle), nullText(strings.ToLower(acc.Email)),
		nullMicros(acc.EmailConfirmedAt), acc.PasswordHash, acc.SigningKey, acc.RotationKey,
		string(status), nullText(code), micros(acc.CreatedAt),
		nullText(acc.TakedownRef), acc.InvitesDisabled, nullMicros(acc.DeactivatedAt))
}

// queueUseInvite queues the consumption of one use of code. The first
// statement locks the code's row, so concurrent sign-ups with one code take
// turns; the second, which PostgreSQL runs with a fresh snapshot taken after
// the lock was granted, records the use only if the code is enabled and has
// uses left, counting the uses committed meanwhile.
func queueUseInvite(tx *writeTx, code, did string, at time.Time) {
	tx.queue(`SELECT 1 FROM invite_codes WHERE code = $1 FOR UPDATE`, code)
	tx.queueExec(`INSERT INTO invite_uses (code, used_by, used_at)
		SELECT c.code, $2, $3 FROM invite_codes c
		WHERE c.code = $1 AND NOT c.disabled
			AND c.available_uses > (SELECT count(*) FROM invite_uses u WHERE u.code = c.code)`,
		func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("%w: %q does not exist, is disabled or has no uses left",
					store.ErrInviteUnavailable, code)
			}
			return nil
		},
		code, did, micros(at))
}

// GetAccount returns the account with this DID.
func (s *Store) GetAccount(ctx context.Context, did string) (store.Account, error) {
	return s.getAccount(ctx, "did", did)
}

// GetAccountByHandle returns the account with this handle, matched
// case-insensitively (handles are stored lower-case).
func (s *Store) GetAccountByHandle(ctx context.Context, handle string) (store.Account, error) {
	return s.getAccount(ctx, "handle", strings.ToLower(handle))
}

// GetAccountByEmail returns the account with this email, matched
// case-insensitively (emails are stored lower-case).
func (s *Store) GetAccountByEmail(ctx context.Context, email string) (store.Account, error) {
	return s.getAccount(ctx, "email", strings.ToLower(email))
}

// getAccount looks an account up by one unique column (a constant).
func (s *Store) getAccount(ctx context.Context, col, value string) (store.Account, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+col+` = $1`, value)
	a, err := scanAccount(row)
	if err != nil {
		return store.Account{}, fmt.Errorf("postgres: get account by %s %q: %w", col, value, err)
	}
	return a, nil
}

// ListAccounts pages accounts by DID after cursor.
func (s *Store) ListAccounts(ctx context.Context, cursor string, limit int) ([]store.Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE did > $1 ORDER BY did LIMIT $2`, cursor, sqlLimit(limit))
	accounts, err := collect(rows, err, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: list accounts: %w", err)
	}
	return accounts, nil
}
