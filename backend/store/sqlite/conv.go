package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hearthpds/hearth/backend/store"
)

// micros converts a time to the schema's Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts Unix microseconds back to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros stores an optional time; nil becomes NULL.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// fromNullMicros reads an optional time; NULL becomes nil.
func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// nullString stores "" as NULL (for optional unique columns such as email).
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// nonNil stores a nil byte slice as an empty BLOB, not NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// cidBytes is the binary form a CID is stored in.
func cidBytes(c cid.Cid) []byte { return c.Bytes() }

// parseCID reads a CID stored in binary form.
func parseCID(b []byte) (cid.Cid, error) {
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, fmt.Errorf("stored cid %x: %w", b, err)
	}
	return c, nil
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

// sqlLimit maps the contract's page size to SQLite's LIMIT: a limit of zero
// or less means no limit (-1).
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// mapErr turns driver errors into the store's sentinel errors: no rows
// becomes store.ErrNotFound, a unique or primary key violation becomes
// store.ErrConflict, and a foreign key violation (a row naming an account or
// invite code that does not exist) becomes store.ErrNotFound, keeping the
// driver error's message. Other errors are returned as they are.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", store.ErrConflict, se.Error())
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %s", store.ErrNotFound, se.Error())
		}
	}
	return err
}
