package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/hearthpds/hearth/backend/store"
)

// busyTimeoutMillis is how long a connection waits for a lock held by
// another connection (a checkpoint, or another process) before failing with
// SQLITE_BUSY. Inside one Store writes queue on the single writer connection
// instead, so this only matters at the edges.
const busyTimeoutMillis = 5000

// Store is the SQLite implementation of [store.Store]. It is safe for
// concurrent use; writes are serialised on one connection.
type Store struct {
	writer   *sql.DB // exactly one connection; every write goes through it
	reader   *sql.DB // read-only pool for queries
	versions *goose.Provider
	logger   *slog.Logger
	ws       writeStmts
	rs       readStmts
	ckpt     *checkpointer // background checkpoints (see checkpoint.go)
}

var _ store.Store = (*Store)(nil)

// Open opens the database file at path, creating it (mode 0600) and its
// directory when missing, and applies the pending migrations. A nil logger
// discards the log.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	abs, err := createFile(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{logger: logger}
	if err := s.open(ctx, abs); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w", abs, err), s.Close())
	}
	return s, nil
}

// open connects the writer, migrates, connects the read pool and prepares
// the hot statements.
func (s *Store) open(ctx context.Context, path string) error {
	var err error
	if s.writer, err = connect(ctx, writerDSN(path), 1); err != nil {
		return fmt.Errorf("writer: %w", err)
	}
	if err := migrate(ctx, s.writer, s.logger); err != nil {
		return err
	}
	if s.reader, err = connect(ctx, readerDSN(path), readPoolSize()); err != nil {
		return fmt.Errorf("read pool: %w", err)
	}
	if s.ckpt, err = startCheckpointer(ctx, path); err != nil {
		return fmt.Errorf("checkpointer: %w", err)
	}
	if s.versions, err = newMigrator(s.reader); err != nil {
		return err
	}
	if err := s.ws.prepare(ctx, s.writer); err != nil {
		return err
	}
	return s.rs.prepare(ctx, s.reader)
}

// Dialect returns "sqlite".
func (s *Store) Dialect() string { return "sqlite" }

// SchemaVersion returns the highest applied migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	v, err := s.versions.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return v, nil
}

// Close closes the read pool and then the writer; the writer's last close
// checkpoints the write-ahead log into the database file.
func (s *Store) Close() error {
	var errs []error
	errs = append(errs, s.ckpt.close())
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// createFile makes path absolute and creates the file with mode 0600 (and
// its directory with 0700) when it does not exist yet, so the database, and
// the -wal and -shm files SQLite creates with the same mode, are private.
func createFile(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return abs, nil
	}
	if err != nil {
		return "", err
	}
	return abs, f.Close()
}

// walSizeLimit is the size the write-ahead log is truncated back to after a
// checkpoint: a burst (an import) may grow it, it does not keep the disk.
const walSizeLimit = 64 << 20

// writerDSN configures the writer connection: WAL so readers never block
// the writer, synchronous=NORMAL (see the package documentation), foreign
// keys enforced, a bounded log, SQLite's default page cache (a 32 MiB one
// cost 10% of a write's CPU: modernc truncates the cache at every commit,
// in time that grows with its size), temporary files in memory (statement
// journals and sorts; on disk they cost system calls), a larger automatic
// checkpoint as a backstop for the background one (checkpoint.go), and
// BEGIN IMMEDIATE for every transaction.
func writerDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint))
	q.Set("_txlock", "immediate")
	return fileURI(path, q)
}

// checkpointerQuery configures the checkpoint connection like the writer
// (so a checkpoint syncs as the writer would), without BEGIN IMMEDIATE.
func checkpointerQuery() url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	return q
}

// readerDSN configures the read pool: opened read-only by SQLite itself
// (mode=ro) and refusing writes at the statement level too (query_only).
func readerDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "query_only(1)")
	return fileURI(path, q)
}

// fileURI builds an SQLite URI filename ("file:///abs/path?..."), escaping
// the path; the driver reads the _pragma and _txlock parameters and SQLite
// the others.
func fileURI(path string, q url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// connect opens a pool of at most n connections that are never closed for
// being idle (they hold prepared statements) and checks that it works.
func connect(ctx context.Context, dsn string, n int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// readPoolSize is the number of read connections: one per CPU the Go
// scheduler uses, and at least four so slow readers (a repo export) do not
// starve the others.
func readPoolSize() int {
	return max(4, runtime.GOMAXPROCS(0))
}
