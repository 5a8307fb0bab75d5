// Package testdb opens real databases for tests: an SQLite file always, and
// PostgreSQL whenever HEARTH_TEST_POSTGRES names a server (in CI it must).
// Tests that touch storage loop over Backends so that every storage test
// runs on both drivers.
package testdb

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/sqlite"
)

// Backend opens a fresh, empty, migrated store of one driver.
type Backend struct {
	Name string
	Open func(t testing.TB) store.Store
	// URL returns a HEARTH_DB value naming a fresh, empty database.
	URL func(t testing.TB) string
}

// SQLiteURL returns a HEARTH_DB URL of a new SQLite file.
func SQLiteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "hearth.db")
}

// OpenSQLite opens a fresh SQLite store in a temporary directory, closed at
// cleanup.
func OpenSQLite(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hearth.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// RunURL runs fn once per backend as a subtest, with a database URL.
func RunURL(t *testing.T, fn func(t *testing.T, url func(t testing.TB) string)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.URL) })
	}
}

// Run runs fn once per backend as a subtest.
func Run(t *testing.T, fn func(t *testing.T, open func(t testing.TB) store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open) })
	}
}
