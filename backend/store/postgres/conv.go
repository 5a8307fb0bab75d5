package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearthpds/hearth/backend/store"
)

// micros converts a time to the schema's Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts Unix microseconds back to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros stores an optional time; nil becomes NULL.
func nullMicros(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	us := micros(*t)
	return &us
}

// fromNullMicros reads an optional time; NULL becomes nil.
func fromNullMicros(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// nullText stores "" as NULL (for optional columns such as email, unique
// among the accounts that have one).
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// text reads an optional text column; NULL becomes "".
func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseCID reads a CID stored in binary form.
func parseCID(b []byte) (cid.Cid, error) {
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, fmt.Errorf("stored cid %x: %w", b, err)
	}
	return c, nil
}

// cidList converts CIDs to the binary forms a bytea[] parameter takes.
func cidList(cids []cid.Cid) [][]byte {
	out := make([][]byte, len(cids))
	for i, c := range cids {
		out[i] = c.Bytes()
	}
	return out
}

// cursorCID turns a paging cursor (a CID string, "" for the start) into the
// binary form rows are ordered by. The empty cursor sorts before every CID.
func cursorCID(cursor string) ([]byte, error) {
	if cursor == "" {
		return []byte{}, nil
	}
	c, err := cid.Decode(cursor)
	if err != nil {
		return nil, fmt.Errorf("cursor %q: %w", cursor, err)
	}
	return c.Bytes(), nil
}

// sqlLimit maps the contract's page size to a LIMIT parameter: a limit of
// zero or less means no limit (LIMIT NULL).
func sqlLimit(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	n := int64(limit)
	return &n
}

// PostgreSQL's SQLSTATEs for constraint violations that map to sentinels.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// mapErr turns driver errors into the store's sentinel errors: no rows
// becomes store.ErrNotFound, a unique violation store.ErrConflict and a
// foreign key violation (a row for an account that does not exist)
// store.ErrNotFound, keeping PostgreSQL's message, which names the
// constraint. Other errors are returned as they are.
func mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case uniqueViolation:
			return fmt.Errorf("%w: %s", store.ErrConflict, pe.Message)
		case foreignKeyViolation:
			return fmt.Errorf("%w: %s", store.ErrNotFound, pe.Message)
		}
	}
	return err
}

// oneRow checks that a statement changed at least one row; none is
// store.ErrNotFound.
func oneRow(tag pgconn.CommandTag) error {
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// collect scans every row with scan and closes rows, mapping driver errors.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}
