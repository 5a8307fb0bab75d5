package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hearthpds/hearth/backend/store"
)

// subjectRow is the row a moderation subject names: its table and the
// condition (on ?1, ?2, ...) selecting it, with the condition's arguments.
type subjectRow struct {
	table, where string
	args         []any
}

// rowOf returns the row of a subject: a blob when Blob is set, else a record
// when Collection or RKey is set, else the account.
func rowOf(subj store.Subject) subjectRow {
	switch {
	case subj.Blob != nil:
		return subjectRow{"blobs", `did = ?1 AND cid = ?2`, []any{subj.DID, cidBytes(*subj.Blob)}}
	case subj.Collection != "" || subj.RKey != "":
		return subjectRow{"records", `did = ?1 AND collection = ?2 AND rkey = ?3`,
			[]any{subj.DID, subj.Collection, subj.RKey}}
	default:
		return subjectRow{"accounts", `did = ?1`, []any{subj.DID}}
	}
}

// describe names a subject in error messages.
func describe(subj store.Subject) string {
	switch {
	case subj.Blob != nil:
		return "blob " + subj.Blob.String() + " of " + subj.DID
	case subj.Collection != "" || subj.RKey != "":
		return "at://" + subj.DID + "/" + subj.Collection + "/" + subj.RKey
	default:
		return subj.DID
	}
}

// SetTakedown applies (ref != "") or lifts (ref == "") a takedown of an
// account, record or blob, and appends the events, in one transaction. An
// account's status follows: takendown, or active when lifted; either way it
// is no longer deactivated.
func (s *Store) SetTakedown(ctx context.Context, subj store.Subject, ref string, events []store.Event) ([]int64, error) {
	row := rowOf(subj)
	n := len(row.args) + 1
	set := fmt.Sprintf(`takedown_ref = ?%d`, n)
	if row.table == "accounts" {
		set += fmt.Sprintf(`, status = CASE WHEN ?%d IS NULL THEN 'active' ELSE 'takendown' END,
			deactivated_at = NULL`, n)
	}
	args := append(row.args, nullString(ref))
	var seqs []int64
	err := s.inTx(ctx, func(w *writeTx) error {
		if err := w.execOne(`UPDATE `+row.table+` SET `+set+` WHERE `+row.where, args...); err != nil {
			return err
		}
		var err error
		seqs, err = w.appendEvents(events)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set takedown of %s: %w", describe(subj), err)
	}
	return seqs, nil
}

// GetTakedown returns a subject's takedown ref ("" when none).
func (s *Store) GetTakedown(ctx context.Context, subj store.Subject) (string, error) {
	row := rowOf(subj)
	var ref sql.NullString
	err := s.reader.QueryRowContext(ctx, `SELECT takedown_ref FROM `+row.table+` WHERE `+row.where,
		row.args...).Scan(&ref)
	if err != nil {
		return "", fmt.Errorf("sqlite: get takedown of %s: %w", describe(subj), mapErr(err))
	}
	return ref.String, nil
}

// SetInvitesDisabled disables or enables an account's ability to make
// invite codes; the codes it already has are left as they are.
func (s *Store) SetInvitesDisabled(ctx context.Context, did string, disabled bool) error {
	err := s.execOne(ctx, `UPDATE accounts SET invites_disabled = ? WHERE did = ?`, disabled, did)
	if err != nil {
		return fmt.Errorf("sqlite: set invites disabled of %s: %w", did, err)
	}
	return nil
}

// UpdateSigningKey replaces an account's sealed signing key.
func (s *Store) UpdateSigningKey(ctx context.Context, did string, sealed []byte) error {
	if err := s.execOne(ctx, `UPDATE accounts SET signing_key = ? WHERE did = ?`, sealed, did); err != nil {
		return fmt.Errorf("sqlite: update signing key of %s: %w", did, err)
	}
	return nil
}

// SearchAccounts pages accounts whose handle or email starts with query
// (matched lower-case, as both are stored; bytewise, so '%' and '_' are
// plain characters), by DID after cursor.
func (s *Store) SearchAccounts(ctx context.Context, query, cursor string, limit int) ([]store.Account, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE (?1 = '' OR substr(handle, 1, length(?1)) = ?1 OR substr(email, 1, length(?1)) = ?1)
			AND did > ?2
		ORDER BY did LIMIT ?3`, strings.ToLower(query), cursor, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: search accounts: %w", err)
	}
	accounts, err := collect(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search accounts: %w", err)
	}
	return accounts, nil
}
