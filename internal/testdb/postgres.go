package testdb

import (
	"testing"

	"github.com/hearthpds/hearth/backend/store"
)

// OpenPostgres opens a fresh PostgreSQL store (placeholder until the
// postgres driver lands).
func OpenPostgres(t testing.TB) store.Store {
	t.Helper()
	t.Skip("postgres driver not yet wired")
	return nil
}

// PostgresURL returns a HEARTH_DB URL of a fresh PostgreSQL schema
// (placeholder until the postgres driver lands).
func PostgresURL(t testing.TB) string {
	t.Helper()
	t.Skip("postgres driver not yet wired")
	return ""
}
