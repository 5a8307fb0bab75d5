package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearthpds/hearth/backend/store"
)

// inviteOrder is one sort of ListAllInviteCodes: the page order, and the
// condition that starts a page strictly after the cursor (?1 created_at,
// ?2 code, ?3 uses; all NULL for the first page).
type inviteOrder struct {
	order, after string
}

// inviteOrders are the sorts ListAllInviteCodes knows; ties end on the code,
// so every order is total and a cursor is a position in it.
var inviteOrders = map[string]inviteOrder{
	"recent": {
		order: `created_at DESC, code`,
		after: `(?1 IS NULL OR created_at < ?1 OR (created_at = ?1 AND code > ?2))`,
	},
	"usage": {
		order: `used DESC, created_at DESC, code`,
		after: `(?3 IS NULL OR used < ?3 OR (used = ?3 AND
			(created_at < ?1 OR (created_at = ?1 AND code > ?2))))`,
	},
}

// ListAllInviteCodes pages every invite code with its uses, newest first
// ("recent", the default) or by most uses ("usage"). The cursor is the last
// code's position in that order ("uses:created_at:code"); it is "" after a
// page shorter than limit.
func (s *Store) ListAllInviteCodes(ctx context.Context, sort, cursor string, limit int) ([]store.InviteCode, string, error) {
	codes, next, err := s.listAllInvites(ctx, sort, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list invite codes by %q: %w", sort, err)
	}
	return codes, next, nil
}

func (s *Store) listAllInvites(ctx context.Context, sort, cursor string, limit int) ([]store.InviteCode, string, error) {
	o, ok := inviteOrders[cmp.Or(sort, "recent")]
	if !ok {
		return nil, "", errors.New("unknown sort")
	}
	args, err := parseInviteCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.reader.QueryContext(ctx, `WITH page AS (
			SELECT c.*, (SELECT count(*) FROM invite_uses u WHERE u.code = c.code) AS used
			FROM invite_codes c
		), sel AS (
			SELECT * FROM page WHERE `+o.after+` ORDER BY `+o.order+` LIMIT ?4
		)
		SELECT sel.code, sel.for_account, sel.created_by, sel.available_uses, sel.disabled,
			sel.created_at, u.used_by, u.used_at
		FROM sel LEFT JOIN invite_uses u ON u.code = sel.code
		ORDER BY `+prefixed("sel.", o.order)+`, u.used_at, u.used_by`,
		append(args, sqlLimit(limit))...)
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
// inviteOrder, created_at, code and uses (all nil for "").
func parseInviteCursor(cursor string) ([]any, error) {
	if cursor == "" {
		return []any{nil, nil, nil}, nil
	}
	parts := strings.SplitN(cursor, ":", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("invalid cursor %q", cursor)
	}
	used, err1 := strconv.ParseInt(parts[0], 10, 64)
	created, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("invalid cursor %q", cursor)
	}
	return []any{created, parts[2], used}, nil
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
func scanInviteRows(rows *sql.Rows) ([]store.InviteCode, error) {
	defer rows.Close()
	var codes []store.InviteCode
	for rows.Next() {
		var (
			c       store.InviteCode
			created int64
			usedBy  sql.NullString
			usedAt  sql.NullInt64
		)
		err := rows.Scan(&c.Code, &c.ForAccount, &c.CreatedBy, &c.AvailableUses, &c.Disabled,
			&created, &usedBy, &usedAt)
		if err != nil {
			return nil, err
		}
		if n := len(codes); n == 0 || codes[n-1].Code != c.Code {
			c.CreatedAt = fromMicros(created)
			codes = append(codes, c)
		}
		if usedBy.Valid {
			last := &codes[len(codes)-1]
			last.Uses = append(last.Uses, store.InviteUse{UsedBy: usedBy.String, UsedAt: fromMicros(usedAt.Int64)})
		}
	}
	return codes, rows.Err()
}
