package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// subjectWhere returns the table and the condition (on $1...) that select a
// moderation subject's row, with their parameters.
func subjectWhere(subj store.Subject) (table, where string, args []any) {
	switch {
	case subj.Blob != nil:
		return "blobs", `did = $1 AND cid = $2`, []any{subj.DID, subj.Blob.Bytes()}
	case subj.Collection != "" || subj.RKey != "":
		return "records", `did = $1 AND collection = $2 AND rkey = $3`,
			[]any{subj.DID, subj.Collection, subj.RKey}
	default:
		return "accounts", `did = $1`, []any{subj.DID}
	}
}

// SetTakedown applies (ref != "") or lifts (ref == "") a takedown of an
// account, record or blob, and appends the events. An account's status
// follows: takendown, or active when lifted (which also ends a
// deactivation).
func (s *Store) SetTakedown(ctx context.Context, subj store.Subject, ref string, events []store.Event) ([]int64, error) {
	table, where, args := subjectWhere(subj)
	set := `takedown_ref = $` + strconv.Itoa(len(args)+1)
	args = append(args, nullText(ref))
	if table == "accounts" {
		set += `, status = CASE WHEN $2::text IS NULL THEN 'active' ELSE 'takendown' END,
			deactivated_at = NULL`
	}
	seqs, err := s.updateWithEvents(ctx, `UPDATE `+table+` SET `+set+` WHERE `+where, events, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: set takedown of %s: %w", describe(subj), err)
	}
	return seqs, nil
}

// GetTakedown returns a subject's takedown ref ("" when none).
func (s *Store) GetTakedown(ctx context.Context, subj store.Subject) (string, error) {
	table, where, args := subjectWhere(subj)
	var ref *string
	err := s.pool.QueryRow(ctx, `SELECT takedown_ref FROM `+table+` WHERE `+where, args...).Scan(&ref)
	if err != nil {
		return "", fmt.Errorf("postgres: get takedown of %s: %w", describe(subj), mapErr(err))
	}
	return text(ref), nil
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

// SetInvitesDisabled disables or enables an account's ability to make
// invite codes.
func (s *Store) SetInvitesDisabled(ctx context.Context, did string, disabled bool) error {
	err := s.execOne(ctx, `UPDATE accounts SET invites_disabled = $2 WHERE did = $1`, did, disabled)
	if err != nil {
		return fmt.Errorf("postgres: set invites disabled of %s: %w", did, err)
	}
	return nil
}

// UpdateSigningKey replaces an account's sealed signing key.
func (s *Store) UpdateSigningKey(ctx context.Context, did string, sealed []byte) error {
	if err := s.execOne(ctx, `UPDATE accounts SET signing_key = $2 WHERE did = $1`, did, sealed); err != nil {
		return fmt.Errorf("postgres: update signing key of %s: %w", did, err)
	}
	return nil
}

// SearchAccounts pages accounts whose handle or email starts with query
// (matched lower-case, as both are stored), by DID after cursor.
func (s *Store) SearchAccounts(ctx context.Context, query, cursor string, limit int) ([]store.Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE ($1 = '' OR starts_with(handle, $1) OR starts_with(email, $1)) AND did > $2
		ORDER BY did LIMIT $3`, strings.ToLower(query), cursor, sqlLimit(limit))
	accounts, err := collect(rows, err, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: search accounts: %w", err)
	}
	return accounts, nil
}

// inviteOrder is one sort of ListAllInviteCodes: the page order, and the
// condition that starts a page strictly after the cursor ($1 created_at,
// $2 code and, when byUses, $3 uses; NULL for the first page).
type inviteOrder struct {
	order, after string
	byUses       bool
}

var inviteOrders = map[string]inviteOrder{
	"recent": {
		order: `created_at DESC, code`,
		after: `($1::bigint IS NULL OR created_at < $1 OR (created_at = $1 AND code > $2::text))`,
	},
	"usage": {
		order: `used DESC, created_at DESC, code`,
		after: `($3::bigint IS NULL OR used < $3 OR (used = $3 AND
			(created_at < $1 OR (created_at = $1 AND code > $2::text))))`,
		byUses: true,
	},
}

// ListAllInviteCodes pages every invite code with its uses, newest first
// ("recent", the default) or by most uses ("usage"). The cursor is the
// last code's position in that order; it is "" after the last page.
func (s *Store) ListAllInviteCodes(ctx context.Context, sort, cursor string, limit int) ([]store.InviteCode, string, error) {
	codes, next, err := s.listAllInvites(ctx, sort, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list invite codes by %q: %w", sort, err)
	}
	return codes, next, nil
}

func (s *Store) listAllInvites(ctx context.Context, sort, cursor string, limit int) ([]store.InviteCode, string, error) {
	o, ok := inviteOrders[cmp.Or(sort, "recent")]
	if !ok {
		return nil, "", errors.New("unknown sort")
	}
	args, err := parseInviteCursor(cursor, o.byUses)
	if err != nil {
		return nil, "", err
	}
	args = append(args, sqlLimit(limit))
	rows, err := s.pool.Query(ctx, `WITH page AS (
			SELECT c.*, (SELECT count(*) FROM invite_uses u WHERE u.code = c.code) AS used
			FROM invite_codes c
		), sel AS (
			SELECT * FROM page WHERE `+o.after+` ORDER BY `+o.order+` LIMIT $`+strconv.Itoa(len(args))+`
		)
		SELECT sel.code, sel.for_account, sel.created_by, sel.available_uses, sel.disabled,
			sel.created_at, u.used_by, u.used_at
		FROM sel LEFT JOIN invite_uses u ON u.code = sel.code
		ORDER BY `+prefixed("sel.", o.order)+`, u.used_at, u.used_by`, args...)
	if err != nil {
		return nil, "", err
	}
	codes, err := scanInviteRows(rows)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 || len(codes) < limit {
		return codes, "", nil
	}
	last := codes[len(codes)-1]
	return codes, fmt.Sprintf("%d:%d:%s", len(last.Uses), micros(last.CreatedAt), last.Code), nil
}

// parseInviteCursor reads "uses:created_at:code" into the parameters of an
// inviteOrder: created_at and code, then uses when byUses (all nil for "").
func parseInviteCursor(cursor string, byUses bool) ([]any, error) {
	var (
		created, used *int64
		code          *string
	)
	if cursor != "" {
		parts := strings.SplitN(cursor, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("invalid cursor %q", cursor)
		}
		u, err1 := strconv.ParseInt(parts[0], 10, 64)
		c, err2 := strconv.ParseInt(parts[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("invalid cursor %q", cursor)
		}
		used, created, code = &u, &c, &parts[2]
	}
	if byUses {
		return []any{created, code, used}, nil
	}
	return []any{created, code}, nil
}

// prefixed qualifies each column of an ORDER BY list with prefix.
func prefixed(prefix, order string) string {
	terms := strings.Split(order, ", ")
	for i, t := range terms {
		terms[i] = prefix + t
	}
	return strings.Join(terms, ", ")
}

// scanInviteRows reads rows of (code columns, used_by, used_at), adjacent
// per code, into codes with their uses, and closes rows.
func scanInviteRows(rows pgx.Rows) ([]store.InviteCode, error) {
	defer rows.Close()
	var (
		codes []store.InviteCode
		err   error
	)
	for rows.Next() {
		if codes, err = scanInviteRow(rows, codes); err != nil {
			return nil, err
		}
	}
	return codes, rows.Err()
}
