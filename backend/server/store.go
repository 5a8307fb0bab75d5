package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/sqlite"
)

// openStore opens the configured database, applying migrations.
func openStore(ctx context.Context, db config.DB, log *slog.Logger) (store.Store, error) {
	switch db.Driver {
	case config.DriverSQLite:
		st, err := sqlite.Open(ctx, db.Path, log)
		if err != nil {
			return nil, err
		}
		// This process is the database's only writer, so records can be
		// served from memory (see repo.CacheRecords).
		return repo.CacheRecords(st, 0), nil
	case config.DriverPostgres:
		st, err := postgres.Open(ctx, db.URL.String(), log)
		if err != nil {
			return nil, err
		}
		// Other instances may write the database: no record cache, but
		// this instance's own account changes reach its account lookups
		// at once.
		return repo.TrackAccountChanges(st), nil
	}
	return nil, fmt.Errorf("unknown database driver %q", db.Driver)
}
