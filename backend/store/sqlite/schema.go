package sqlite

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3"
)

// Schema lists the logical schema the migrations built: each table of the
// store's schema (SQLite's internal tables and goose's bookkeeping table
// excepted) with its column names in declaration order. A test in package
// store compares it with the PostgreSQL driver's.
func (s *Store) Schema(ctx context.Context) (map[string][]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT m.name, p.name
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> ?
		ORDER BY m.name, p.cid`, goose.DefaultTablename)
	if err != nil {
		return nil, fmt.Errorf("sqlite: schema: %w", err)
	}
	defer rows.Close()
	schema := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, fmt.Errorf("sqlite: schema: %w", err)
		}
		schema[table] = append(schema[table], column)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: schema: %w", err)
	}
	return schema, nil
}
