package store_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
	"github.com/hearthpds/hearth/backend/store/sqlite"
)

// migrationVersions lists the goose versions of the SQL files in dir
// (relative to this package), by their numeric prefix.
func migrationVersions(t *testing.T, dir string) []int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int64
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".sql" {
			continue
		}
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil {
			t.Fatalf("%s/%s: not a numbered goose migration", dir, e.Name())
		}
		versions = append(versions, v)
	}
	slices.Sort(versions)
	return versions
}

// TestMigrationVersionsMatch checks that each dialect has a file for every
// schema version, so a new migration is never written for one alone.
func TestMigrationVersionsMatch(t *testing.T) {
	lite := migrationVersions(t, filepath.Join("sqlite", "migrations"))
	pg := migrationVersions(t, filepath.Join("postgres", "migrations"))
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("migration versions: sqlite %v, postgres %v", lite, pg)
	}
}

// TestSchemasMatch migrates an empty database of each dialect and compares
// what they built: the same goose version, the same tables, and the same
// columns in the same order (types differ by dialect and are not compared).
func TestSchemasMatch(t *testing.T) {
	ctx := t.Context()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hearth.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lite.Close() })
	pg, err := postgres.Open(ctx, pgtest.URL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Close() })

	lv, err := lite.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := pg.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lv != pv || lv < 1 {
		t.Fatalf("schema versions: sqlite %d, postgres %d", lv, pv)
	}

	ls, err := lite.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := pg.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lt, pt := slices.Sorted(maps.Keys(ls)), slices.Sorted(maps.Keys(ps))
	if !slices.Equal(lt, pt) {
		t.Fatalf("tables:\n sqlite   %v\n postgres %v", lt, pt)
	}
	for _, table := range lt {
		if !slices.Equal(ls[table], ps[table]) {
			t.Errorf("columns of %s:\n sqlite   %v\n postgres %v", table, ls[table], ps[table])
		}
	}
	if !slices.Contains(lt, "event_seq") || len(ls["accounts"]) == 0 {
		t.Fatalf("the schema looks empty: %v", lt)
	}
	t.Logf("version %d: %d tables match", lv, len(lt))
}
