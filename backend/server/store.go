package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/sqlite"
)

// openStore opens the configured database, applying migrations.
func openStore(ctx context.Context, db config.DB, log *slog.Logger) (store.Store, error) {
	switch db.Driver {
	case config.DriverSQLite:
		return sqlite.Open(ctx, db.Path, log)
	case config.DriverPostgres:
		return postgres.Open(ctx, db.URL.String(), log)
	}
	return nil, fmt.Errorf("unknown database driver %q", db.Driver)
}
