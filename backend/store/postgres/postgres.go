package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/hearthpds/hearth/backend/store"
)

// Store is the PostgreSQL implementation of [store.Store]. It is safe for
// concurrent use, and several Stores (in one process or in several) may
// share one database.
type Store struct {
	pool     *pgxpool.Pool
	db       *sql.DB // database/sql view of pool, for goose
	versions *goose.Provider
	logger   *slog.Logger
}

var (
	_ store.Store = (*Store)(nil)
	// The storage contract's v2 interfaces, not yet part of store.Store.
	_ store.AccountTokens = (*Store)(nil)
	_ store.Preferences   = (*Store)(nil)
	_ store.Nonces        = (*Store)(nil)
	_ store.ReservedKeys  = (*Store)(nil)
	_ store.Moderation    = (*Store)(nil)
	_ store.Imports       = (*Store)(nil)
	_ store.BlocksSince   = (*Store)(nil)
)

// Open connects to the database at dsn (a postgres:// URL or a key=value
// connection string, as pgx parses them; pool settings such as
// pool_max_conns and runtime parameters such as search_path may be given
// in it) and applies the pending migrations. A nil logger discards the log.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", parseError(err))
	}
	target := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	s := &Store{logger: logger}
	if err := s.open(ctx, cfg); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: open %s: %w", target, err), s.Close())
	}
	return s, nil
}

// open connects the pool, checks it and migrates the schema.
func (s *Store) open(ctx context.Context, cfg *pgxpool.Config) error {
	var err error
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	s.db = stdlib.OpenDBFromPool(s.pool)
	if s.versions, err = newMigrator(s.db); err != nil {
		return err
	}
	return s.migrate(ctx, cfg.ConnConfig.Copy())
}

// Dialect returns "postgres".
func (s *Store) Dialect() string { return "postgres" }

// SchemaVersion returns the highest applied migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	v, err := s.versions.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}

// Close closes the pool. Like database/sql, it waits for the connections
// that queries in progress hold to be returned.
func (s *Store) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	if s.pool != nil {
		s.pool.Close()
	}
	if err != nil {
		return fmt.Errorf("postgres: close: %w", err)
	}
	return nil
}

// parseError reports why a connection string did not parse without quoting
// it: pgx's message and net/url's include the string, and pgx's password
// redaction is best effort.
func parseError(err error) error {
	var (
		pe *pgconn.ParseConfigError
		ue *url.Error
	)
	switch {
	case errors.As(err, &ue):
		return fmt.Errorf("invalid database URL: %w", ue.Err)
	case errors.As(err, &pe) && pe.Unwrap() != nil:
		return fmt.Errorf("invalid database URL: %w", pe.Unwrap())
	}
	return errors.New("invalid database URL")
}
