package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
)

// openTest opens a fresh store in a temporary directory, closed at cleanup.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "hearth.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t) })
}

// pragma reads one pragma's value on db.
func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestPragmas(t *testing.T) {
	s := openTest(t)
	for _, tc := range []struct {
		pool       string
		db         *sql.DB
		name, want string
	}{
		{"writer", s.writer, "journal_mode", "wal"},
		{"writer", s.writer, "synchronous", "1"}, // NORMAL
		{"writer", s.writer, "foreign_keys", "1"},
		{"writer", s.writer, "busy_timeout", fmt.Sprint(busyTimeoutMillis)},
		{"writer", s.writer, "temp_store", "2"}, // MEMORY
		{"writer", s.writer, "journal_size_limit", fmt.Sprint(walSizeLimit)},
		{"reader", s.reader, "journal_mode", "wal"},
		{"reader", s.reader, "foreign_keys", "1"},
		{"reader", s.reader, "query_only", "1"},
		{"reader", s.reader, "busy_timeout", fmt.Sprint(busyTimeoutMillis)},
	} {
		if got := pragma(t, tc.db, tc.name); got != tc.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", tc.pool, tc.name, got, tc.want)
		}
	}
	if n := s.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", n)
	}
	if n := s.reader.Stats().MaxOpenConnections; n < 4 {
		t.Errorf("reader MaxOpenConnections = %d, want >= 4", n)
	}
}

func TestReadPoolCannotWrite(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	conn, err := s.reader.Conn(ctx) // one connection, so the pragma below sticks
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `DELETE FROM event_seq`); err == nil {
		t.Fatal("the read pool deleted a row")
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		t.Fatal(err)
	}
	// Even with query_only switched off, the connection was opened read-only.
	if _, err := conn.ExecContext(ctx, `UPDATE event_seq SET last = 42`); err == nil {
		t.Fatal("a read-only connection updated a row")
	}
	if seq, err := s.LatestSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("LatestSeq = %d, %v; want 0", seq, err)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "hearth.db")
	ctx := t.Context()
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := storetest.NewCommit("did:plc:reopen", nil)
	storetest.Apply(t, s, c)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, nil) // migrations already applied: a no-op
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	root, err := s.GetRepoRoot(ctx, "did:plc:reopen")
	if err != nil || root != c.Root {
		t.Fatalf("root after reopen = %v, %v; want %v", root, err, c.Root)
	}
	files, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != int64(len(files)) {
		t.Fatalf("SchemaVersion = %d, %v; want %d (one per migration file)", v, err, len(files))
	}
}

// TestOpenPath checks that a path needing URI escaping opens the file it
// names, creating its directory, and that the file is private.
func TestOpenPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x#y%20z", "hé llo.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.LatestSeq(t.Context()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm != 0o600 {
		t.Errorf("database file mode = %o, want 600", perm)
	}
}

// benchRepo is one repository a benchmark keeps committing to.
type benchRepo struct {
	did  string
	root *store.RepoRoot
	n    int
}

// commit builds a commit-shaped change: five new blocks (commit, MST root,
// two MST nodes, one record), one released block, one record and one event.
func (r *benchRepo) commit() store.Commit {
	c := storetest.NewCommit(r.did, r.root)
	if len(c.Released) > 1 {
		c.Released = c.Released[:1]
	}
	c.Blocks = append(c.Blocks, storetest.RandomBlock(), storetest.RandomBlock())
	storetest.PutRecord(&c, "app.bsky.feed.post", fmt.Sprintf("r%08d", r.n), storetest.RandomBytes(200))
	r.n++
	return c
}

func BenchmarkApplyCommit(b *testing.B) {
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchmarkApply(b, batch)
		})
	}
}

// benchmarkApply lands b.N batches of batch commits, each to its own repo.
func benchmarkApply(b *testing.B, batch int) {
	s := openTest(b)
	repos := make([]*benchRepo, batch)
	for i := range repos {
		repos[i] = &benchRepo{did: fmt.Sprintf("did:plc:bench%04d", i)}
	}
	commits := make([]store.Commit, batch)
	ctx := b.Context()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for i, r := range repos {
			commits[i] = r.commit()
		}
		b.StartTimer()
		results, err := s.ApplyCommits(ctx, commits)
		if err != nil {
			b.Fatal(err)
		}
		for i, res := range results {
			if res.Err != nil {
				b.Fatal(res.Err)
			}
			repos[i].root = &commits[i].Root
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "commits/s")
}

// TestMigrateBlockRevs opens a version-1 database holding a repo and checks
// that version 2 stamps its blocks with the repo's rev, so that
// ForEachBlockSince never leaves out a block written before the upgrade.
func TestMigrateBlockRevs(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hearth.db")
	if _, err := createFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := connect(ctx, writerDSN(path), 1)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	const did = "did:plc:old"
	c := storetest.NewCommit(did, nil)
	for _, q := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO repos (did, commit_cid, rev, data_cid) VALUES (?, ?, ?, ?)`,
			[]any{did, c.Root.Commit.Bytes(), c.Root.Rev, c.Root.Data.Bytes()}},
		{`INSERT INTO blocks (did, cid, data) VALUES (?, ?, ?), (?, ?, ?)`,
			[]any{did, c.Blocks[0].CID.Bytes(), c.Blocks[0].Data, did, c.Blocks[1].CID.Bytes(), c.Blocks[1].Data}},
	} {
		if _, err := db.ExecContext(ctx, q.query, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func(since string) int {
		n := 0
		err := s.ForEachBlockSince(ctx, did, since, func(cid.Cid, []byte) error { n++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("2222222222222"); n != 2 {
		t.Errorf("blocks since before the repo's rev = %d, want 2", n)
	}
	if n := count(c.Root.Rev); n != 0 {
		t.Errorf("blocks since the repo's rev = %d, want 0", n)
	}
}

// BenchmarkImportRepo imports a 100,000-record repo (one blob reference per
// ten records) into a fresh repo per iteration.
func BenchmarkImportRepo(b *testing.B) {
	const records = 100_000
	s := openTest(b)
	imp := storetest.NewImport("did:plc:bench", records)
	for i := range imp.Records {
		if i%10 == 0 {
			imp.Records[i].Blobs = []cid.Cid{storetest.RandomCID()}
		}
	}
	n := 0
	for b.Loop() {
		imp.DID = fmt.Sprintf("did:plc:bench%04d", n)
		imp.Root.DID = imp.DID
		n++
		if _, err := s.ImportRepo(b.Context(), imp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
}
