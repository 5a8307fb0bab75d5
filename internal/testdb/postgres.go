package testdb

import (
	"context"
	"log/slog"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
)

// OpenPostgres opens a fresh PostgreSQL store in a schema of its own
// (dropped at cleanup). Without HEARTH_TEST_POSTGRES it skips the test, or
// fails it in CI.
func OpenPostgres(t testing.TB) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.URL(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// PostgresURL returns a HEARTH_DB URL of a fresh PostgreSQL schema, with
// the same skip/fail rule as OpenPostgres.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}
