package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
)

// migrationFiles holds the schema, one numbered goose file per version. The
// PostgreSQL driver has the same versions for its dialect.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// newMigrator returns a goose provider for the embedded migrations on db. It
// uses no goose global state (the PostgreSQL driver runs goose in the same
// binary).
func newMigrator(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// migrate applies the pending migrations on the writer, each in its own
// transaction, and logs the ones it applied.
func migrate(ctx context.Context, writer *sql.DB, logger *slog.Logger) error {
	p, err := newMigrator(writer)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("applied database migration", "dialect", "sqlite",
			"version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}
