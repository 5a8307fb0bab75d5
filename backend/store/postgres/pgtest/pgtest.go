// Package pgtest gives tests a PostgreSQL database of their own: [URL]
// creates a fresh, empty schema in the database named by the
// HEARTH_TEST_POSTGRES environment variable and drops it when the test
// ends, so test packages and parallel tests never see each other's rows.
//
// Without HEARTH_TEST_POSTGRES a test is skipped, except in CI (CI=true),
// where it fails: CI always provides a database (scripts/pg.sh start), and
// a PostgreSQL test that silently skipped there would hide a broken driver.
//
// The package does not open a store (that would tie it to the driver it
// tests); callers pass the URL to postgres.Open.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the test database's URL.
const EnvURL = "HEARTH_TEST_POSTGRES"

// cleanupTimeout bounds dropping a test's schema.
const cleanupTimeout = 30 * time.Second

// URL returns a connection URL for a fresh, empty schema of the test
// database, dropped (with everything in it) when t ends. Open stores on it
// after calling URL, so that their t.Cleanup (run first) closes them before
// the schema goes. Without HEARTH_TEST_POSTGRES it skips t, or fails it
// when the CI environment variable is "true".
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvURL + " must be set in CI")
		}
		t.Skip(EnvURL + " not set: PostgreSQL tests require a database (run scripts/pg.sh start)")
	}
	schema := "t_" + randomHex(8)
	if err := exec(base, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := exec(base, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	return dsn
}

// withSearchPath sets search_path in a postgres:// URL or a key=value
// connection string; pgx sends it as a runtime parameter, so every
// connection of a pool opened on the result works in schema.
func withSearchPath(base, schema string) (string, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// exec runs one statement on a connection of its own.
func exec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
