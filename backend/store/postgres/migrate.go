package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
)

// migrationFiles holds the schema, one numbered goose file per version. The
// SQLite driver has the same versions for its dialect.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// newMigrator returns a goose provider for the embedded migrations on db. It
// uses no goose global state (the SQLite driver runs goose in the same
// binary).
func newMigrator(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// advisoryKey computes the migration lock's key from the schema the
// connection works in (current_schema(), set by search_path), so that
// instances using different schemas of one database, such as parallel
// tests, do not wait for each other.
const advisoryKey = `hashtextextended('hearth.migrate:' || coalesce(current_schema(), ''), 0)`

// migrate applies the pending migrations, each in its own transaction, and
// logs the ones it applied. It holds a session-level advisory lock for the
// whole run, on a connection of its own (so it works whatever the pool's
// size): Hearth instances that start together on one database take turns,
// and the later ones find nothing to do. pg_advisory_lock waits until the
// lock is free (or ctx ends). goose's own PostgreSQL locker is not used: it
// polls every five seconds, with one key for the whole database, and does
// not cover goose's first look at its version table, which instances
// starting together would race to create.
func (s *Store) migrate(ctx context.Context, cfg *pgx.ConnConfig) (err error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close(context.WithoutCancel(ctx))) }()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+advisoryKey+`)`); err != nil {
		return fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	// Closing the connection releases the lock too; unlock first so a
	// waiting instance goes on without waiting for the disconnection.
	defer func() {
		_, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+advisoryKey+`)`)
		if uerr != nil {
			err = errors.Join(err, fmt.Errorf("migrate: release the migration lock: %w", uerr))
		}
	}()
	results, err := s.versions.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		s.logger.Info("applied database migration", "dialect", "postgres",
			"version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// Schema lists the logical schema the migrations built: each table of the
// store's schema (goose's bookkeeping table excepted) with its column
// names in declaration order. A test compares it with the SQLite driver's.
func (s *Store) Schema(ctx context.Context) (map[string][]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.table_name::text, c.column_name::text
		FROM information_schema.columns c
		JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
			AND c.table_name <> $1
		ORDER BY c.table_name, c.ordinal_position`, goose.DefaultTablename)
	if err != nil {
		return nil, fmt.Errorf("postgres: schema: %w", err)
	}
	defer rows.Close()
	schema := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, fmt.Errorf("postgres: schema: %w", err)
		}
		schema[table] = append(schema[table], column)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: schema: %w", err)
	}
	return schema, nil
}
