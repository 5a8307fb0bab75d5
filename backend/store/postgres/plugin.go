package postgres

import (
	"context"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

var _ store.PluginKV = (*Store)(nil)

// GetPluginKV implements store.PluginKV.
func (s *Store) GetPluginKV(ctx context.Context, plugin, key string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM plugin_kv WHERE plugin = $1 AND key = $2`, plugin, key).Scan(&v)
	if err != nil {
		return nil, fmt.Errorf("postgres: plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	return v, nil
}

// PutPluginKV implements store.PluginKV. A transaction-scoped advisory
// lock on the plugin serializes its puts, so the quota check holds.
func (s *Store) PutPluginKV(ctx context.Context, plugin, key string, value []byte, quota int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: put plugin kv %s %q: %w", plugin, key, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('plugin_kv:' || $1))`, plugin); err != nil {
		return fmt.Errorf("postgres: put plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	if value == nil {
		value = []byte{}
	}
	tag, err := tx.Exec(ctx, `INSERT INTO plugin_kv (plugin, key, value, size)
		SELECT $1, $2, $3, $4::bigint
		WHERE (SELECT COALESCE(SUM(size), 0) FROM plugin_kv WHERE plugin = $1 AND key <> $2) + $4::bigint <= $5::bigint
		ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, size = excluded.size`,
		plugin, key, value, int64(len(key)+len(value)), quota)
	if err != nil {
		return fmt.Errorf("postgres: put plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: put plugin kv %s %q: %w", plugin, key, store.ErrPluginQuota)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: put plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	return nil
}

// DeletePluginKV implements store.PluginKV.
func (s *Store) DeletePluginKV(ctx context.Context, plugin, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM plugin_kv WHERE plugin = $1 AND key = $2`, plugin, key); err != nil {
		return fmt.Errorf("postgres: delete plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	return nil
}

// ListPluginKV implements store.PluginKV.
func (s *Store) ListPluginKV(ctx context.Context, plugin, prefix, after string, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT key FROM plugin_kv
		WHERE plugin = $1 AND left(key, length($2)) = $2 AND key > $3 ORDER BY key LIMIT $4`,
		plugin, prefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list plugin kv %s: %w", plugin, mapErr(err))
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("postgres: list plugin kv %s: %w", plugin, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// WipePluginKV implements store.PluginKV.
func (s *Store) WipePluginKV(ctx context.Context, plugin string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM plugin_kv WHERE plugin = $1`, plugin); err != nil {
		return fmt.Errorf("postgres: wipe plugin kv %s: %w", plugin, mapErr(err))
	}
	return nil
}
