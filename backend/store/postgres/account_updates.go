package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// UpdateHandle changes the handle (stored lower-case) and appends the
// events.
func (s *Store) UpdateHandle(ctx context.Context, did, handle string, events []store.Event) ([]int64, error) {
	seqs, err := s.updateWithEvents(ctx, `UPDATE accounts SET handle = $2 WHERE did = $1`,
		events, did, strings.ToLower(handle))
	if err != nil {
		return nil, fmt.Errorf("postgres: update handle of %s: %w", did, err)
	}
	return seqs, nil
}

// SetAccountStatus changes the status and appends the events. Deactivating
// records when (a deactivated account keeps its first time); any other
// status clears it.
func (s *Store) SetAccountStatus(ctx context.Context, did string, status store.AccountStatus, events []store.Event) ([]int64, error) {
	seqs, err := s.updateWithEvents(ctx, `UPDATE accounts SET status = $2,
		deactivated_at = CASE WHEN $2 = 'deactivated' THEN coalesce(deactivated_at, $3) END
		WHERE did = $1`,
		events, did, string(status), micros(time.Now()))
	if err != nil {
		return nil, fmt.Errorf("postgres: set status of %s: %w", did, err)
	}
	return seqs, nil
}

// updateWithEvents runs an update of one account (ErrNotFound when it
// changed nothing) and appends the events, in one transaction.
func (s *Store) updateWithEvents(ctx context.Context, query string, events []store.Event, args ...any) ([]int64, error) {
	var seqs []int64
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queueExec(query, oneRow, args...)
		seqs = tx.addEvents(events)
		return nil
	})
	return seqs, err
}

// UpdateEmail sets the email ("" for none, otherwise stored lower-case) and
// clears its confirmation.
func (s *Store) UpdateEmail(ctx context.Context, did, email string) error {
	err := s.execOne(ctx, `UPDATE accounts SET email = $2, email_confirmed_at = NULL WHERE did = $1`,
		did, nullText(strings.ToLower(email)))
	if err != nil {
		return fmt.Errorf("postgres: update email of %s: %w", did, err)
	}
	return nil
}

// ConfirmEmail records when the email was confirmed.
func (s *Store) ConfirmEmail(ctx context.Context, did string, at time.Time) error {
	err := s.execOne(ctx, `UPDATE accounts SET email_confirmed_at = $2 WHERE did = $1`, did, micros(at))
	if err != nil {
		return fmt.Errorf("postgres: confirm email of %s: %w", did, err)
	}
	return nil
}

// UpdatePassword replaces the password hash.
func (s *Store) UpdatePassword(ctx context.Context, did, passwordHash string) error {
	err := s.execOne(ctx, `UPDATE accounts SET password_hash = $2 WHERE did = $1`, did, passwordHash)
	if err != nil {
		return fmt.Errorf("postgres: update password of %s: %w", did, err)
	}
	return nil
}

// execOne runs a single-statement write (its own transaction); no row
// changed is store.ErrNotFound.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return mapErr(err)
	}
	return oneRow(tag)
}

// accountData are the tables holding an account's data besides accounts
// itself, in the order DeleteAccount empties them: the repos row first, so
// a concurrent ApplyCommits of the account (which locks that row first)
// is either done or finds no repo. Refresh tokens, app passwords, account
// tokens and preferences would also go by cascade. Events stay: the log is
// the network's history, trimmed by retention. Invite codes stay too.
var accountData = []string{
	"repos", "blocks", "records", "record_blobs", "blobs",
	"refresh_tokens", "app_passwords", "account_tokens", "preferences", "reserved_keys",
}

// DeleteAccount removes the account and all its data, and appends the
// events. It returns store.ErrNotFound when the account does not exist.
func (s *Store) DeleteAccount(ctx context.Context, did string, events []store.Event) ([]int64, error) {
	var seqs []int64
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queueExec(`DELETE FROM accounts WHERE did = $1`, oneRow, did)
		for _, table := range accountData {
			tx.queue(`DELETE FROM `+table+` WHERE did = $1`, did)
		}
		seqs = tx.addEvents(events)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: delete account %s: %w", did, err)
	}
	return seqs, nil
}
