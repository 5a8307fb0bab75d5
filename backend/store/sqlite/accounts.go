package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// accountCols are the accounts columns in the order scanAccount reads them.
const accountCols = `did, handle, email, email_confirmed_at, password_hash,
	signing_key, rotation_key, status, invite_code, created_at,
	takedown_ref, invites_disabled, deactivated_at`

func scanAccount(row scanner) (store.Account, error) {
	var (
		a                           store.Account
		email, inviteCode, takedown sql.NullString
		confirmed, deactivated      sql.NullInt64
		status                      string
		createdAt                   int64
	)
	err := row.Scan(&a.DID, &a.Handle, &email, &confirmed, &a.PasswordHash,
		&a.SigningKey, &a.RotationKey, &status, &inviteCode, &createdAt,
		&takedown, &a.InvitesDisabled, &deactivated)
	if err != nil {
		return store.Account{}, mapErr(err)
	}
	a.TakedownRef = takedown.String
	a.DeactivatedAt = fromNullMicros(deactivated)
	a.Email = email.String
	a.EmailConfirmedAt = fromNullMicros(confirmed)
	a.Status = store.AccountStatus(status)
	a.InviteCode = inviteCode.String
	a.CreatedAt = fromMicros(createdAt)
	return a, nil
}

// CreateAccount inserts the account, consumes the invite, lands the genesis
// commit and appends the events in one transaction; see
// [store.Accounts.CreateAccount].
func (s *Store) CreateAccount(ctx context.Context, a store.NewAccount) ([]int64, error) {
	if a.Genesis != nil && a.Genesis.DID != a.Account.DID {
		return nil, fmt.Errorf("sqlite: create account %s: genesis commit is for %s", a.Account.DID, a.Genesis.DID)
	}
	var seqs []int64
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		seqs, err = w.createAccount(a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: create account %s: %w", a.Account.DID, err)
	}
	return seqs, nil
}

func (w *writeTx) createAccount(a store.NewAccount) ([]int64, error) {
	if err := w.insertAccount(a); err != nil {
		return nil, err
	}
	if err := w.insertPendingPLCOp(a); err != nil {
		return nil, err
	}
	if a.InviteCode != "" {
		if err := w.useInvite(a.InviteCode, a.Account.DID, a.Account.CreatedAt); err != nil {
			return nil, err
		}
	}
	var seqs []int64
	if a.Genesis != nil {
		seq, err := w.applyCommit(*a.Genesis)
		if err != nil {
			return nil, fmt.Errorf("genesis: %w", err)
		}
		if a.Genesis.Event != nil {
			seqs = append(seqs, seq)
		}
	}
	more, err := w.appendEvents(a.Events)
	if err != nil {
		return nil, err
	}
	return append(seqs, more...), nil
}

func (w *writeTx) insertAccount(a store.NewAccount) error {
	acc := a.Account
	status := acc.Status
	if status == "" {
		status = store.StatusActive
	}
	code := acc.InviteCode
	if a.InviteCode != "" {
		code = a.InviteCode
	}
	_, err := w.exec(`INSERT INTO accounts (`+accountCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		acc.DID, strings.ToLower(acc.Handle), nullString(strings.ToLower(acc.Email)),
		nullMicros(acc.EmailConfirmedAt), acc.PasswordHash, acc.SigningKey, acc.RotationKey,
		string(status), nullString(code), micros(acc.CreatedAt),
		nullString(acc.TakedownRef), acc.InvitesDisabled, nullMicros(acc.DeactivatedAt))
	if err != nil {
		return fmt.Errorf("insert account: %w", err)
	}
	return nil
}

// GetAccount returns the account with this DID.
func (s *Store) GetAccount(ctx context.Context, did string) (store.Account, error) {
	return s.getAccount(ctx, "did", did)
}

// GetAccountByHandle returns the account with this handle, matched
// case-insensitively.
func (s *Store) GetAccountByHandle(ctx context.Context, handle string) (store.Account, error) {
	return s.getAccount(ctx, "handle", strings.ToLower(handle))
}

// GetAccountByEmail returns the account with this email, matched
// case-insensitively.
func (s *Store) GetAccountByEmail(ctx context.Context, email string) (store.Account, error) {
	return s.getAccount(ctx, "email", strings.ToLower(email))
}

// getAccount looks an account up by one unique column (a constant).
func (s *Store) getAccount(ctx context.Context, col, value string) (store.Account, error) {
	var row *sql.Row
	switch col {
	case "did":
		row = s.rs.getAccountByDID.QueryRowContext(ctx, value)
	case "handle":
		row = s.rs.getAccountByHandle.QueryRowContext(ctx, value)
	default:
		row = s.reader.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+col+` = ?`, value)
	}
	a, err := scanAccount(row)
	if err != nil {
		return store.Account{}, fmt.Errorf("sqlite: get account by %s %q: %w", col, value, err)
	}
	return a, nil
}

// ListAccounts pages accounts by DID after cursor.
func (s *Store) ListAccounts(ctx context.Context, cursor string, limit int) ([]store.Account, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE did > ? ORDER BY did LIMIT ?`, cursor, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list accounts: %w", err)
	}
	accounts, err := collect(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list accounts: %w", err)
	}
	return accounts, nil
}

// UpdateHandle changes the handle and appends the events.
func (s *Store) UpdateHandle(ctx context.Context, did, handle string, events []store.Event) ([]int64, error) {
	var seqs []int64
	err := s.inTx(ctx, func(w *writeTx) error {
		err := w.execOne(`UPDATE accounts SET handle = ? WHERE did = ?`, strings.ToLower(handle), did)
		if err != nil {
			return err
		}
		seqs, err = w.appendEvents(events)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: update handle of %s: %w", did, err)
	}
	return seqs, nil
}

// UpdateEmail sets the email ("" for none) and clears its confirmation.
func (s *Store) UpdateEmail(ctx context.Context, did, email string) error {
	err := s.execOne(ctx, `UPDATE accounts SET email = ?, email_confirmed_at = NULL WHERE did = ?`,
		nullString(strings.ToLower(email)), did)
	if err != nil {
		return fmt.Errorf("sqlite: update email of %s: %w", did, err)
	}
	return nil
}

// ConfirmEmail records when the email was confirmed.
func (s *Store) ConfirmEmail(ctx context.Context, did string, at time.Time) error {
	err := s.execOne(ctx, `UPDATE accounts SET email_confirmed_at = ? WHERE did = ?`, micros(at), did)
	if err != nil {
		return fmt.Errorf("sqlite: confirm email of %s: %w", did, err)
	}
	return nil
}

// UpdatePassword replaces the password hash.
func (s *Store) UpdatePassword(ctx context.Context, did, passwordHash string) error {
	err := s.execOne(ctx, `UPDATE accounts SET password_hash = ? WHERE did = ?`, passwordHash, did)
	if err != nil {
		return fmt.Errorf("sqlite: update password of %s: %w", did, err)
	}
	return nil
}

// SetAccountStatus changes the status and appends the events. Deactivating
// records when (an account deactivated again keeps its first time); any
// other status clears it.
func (s *Store) SetAccountStatus(ctx context.Context, did string, status store.AccountStatus, events []store.Event) ([]int64, error) {
	var seqs []int64
	err := s.inTx(ctx, func(w *writeTx) error {
		err := w.execOne(`UPDATE accounts SET status = ?1,
			deactivated_at = CASE WHEN ?1 = 'deactivated' THEN coalesce(deactivated_at, ?2) END
			WHERE did = ?3`, string(status), micros(time.Now()), did)
		if err != nil {
			return err
		}
		seqs, err = w.appendEvents(events)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set status of %s: %w", did, err)
	}
	return seqs, nil
}

// accountData are the tables holding an account's data besides accounts
// itself, keyed by did. Refresh tokens, app passwords, account tokens and
// preferences also go by cascade; deleting them here does not depend on
// foreign keys being enforced. Keys reserved for the account go too (they
// are secrets with no further use). Events stay: the log is the network's
// history, trimmed by retention. Invite codes stay too.
var accountData = []string{
	"refresh_tokens", "app_passwords", "account_tokens", "preferences", "reserved_keys",
	"repos", "blocks", "records", "record_blobs", "blobs",
}

// DeleteAccount removes the account and all its data, and appends the
// events. It returns store.ErrNotFound when the account does not exist.
func (s *Store) DeleteAccount(ctx context.Context, did string, events []store.Event) ([]int64, error) {
	var seqs []int64
	err := s.inTx(ctx, func(w *writeTx) error {
		if err := w.execOne(`DELETE FROM accounts WHERE did = ?`, did); err != nil {
			return err
		}
		for _, table := range accountData {
			if _, err := w.exec(`DELETE FROM `+table+` WHERE did = ?`, did); err != nil {
				return fmt.Errorf("delete %s: %w", table, err)
			}
		}
		var err error
		seqs, err = w.appendEvents(events)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete account %s: %w", did, err)
	}
	return seqs, nil
}
