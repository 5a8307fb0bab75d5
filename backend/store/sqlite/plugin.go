package sqlite

import (
	"context"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

var _ store.PluginKV = (*Store)(nil)

// GetPluginKV implements store.PluginKV.
func (s *Store) GetPluginKV(ctx context.Context, plugin, key string) ([]byte, error) {
	var v []byte
	err := s.reader.QueryRowContext(ctx, `SELECT value FROM plugin_kv WHERE plugin = ? AND key = ?`, plugin, key).Scan(&v)
	if err != nil {
		return nil, fmt.Errorf("sqlite: plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	return v, nil
}

// PutPluginKV implements store.PluginKV: one statement on the single
// writer, so the quota check and the write cannot interleave.
func (s *Store) PutPluginKV(ctx context.Context, plugin, key string, value []byte, quota int64) error {
	size := int64(len(key) + len(value))
	res, err := s.writer.ExecContext(ctx, `INSERT INTO plugin_kv (plugin, key, value, size)
		SELECT ?1, ?2, ?3, ?4
		WHERE (SELECT COALESCE(SUM(size), 0) FROM plugin_kv WHERE plugin = ?1 AND key <> ?2) + ?4 <= ?5
		ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, size = excluded.size`,
		plugin, key, nonNil(value), size, quota)
	if err != nil {
		return fmt.Errorf("sqlite: put plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("sqlite: put plugin kv %s %q: %w", plugin, key, store.ErrPluginQuota)
	}
	return nil
}

// DeletePluginKV implements store.PluginKV.
func (s *Store) DeletePluginKV(ctx context.Context, plugin, key string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM plugin_kv WHERE plugin = ? AND key = ?`, plugin, key); err != nil {
		return fmt.Errorf("sqlite: delete plugin kv %s %q: %w", plugin, key, mapErr(err))
	}
	return nil
}

// ListPluginKV implements store.PluginKV.
func (s *Store) ListPluginKV(ctx context.Context, plugin, prefix, after string, limit int) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT key FROM plugin_kv
		WHERE plugin = ?1 AND substr(key, 1, length(?2)) = ?2 AND key > ?3 ORDER BY key LIMIT ?4`,
		plugin, prefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list plugin kv %s: %w", plugin, mapErr(err))
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("sqlite: list plugin kv %s: %w", plugin, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// WipePluginKV implements store.PluginKV.
func (s *Store) WipePluginKV(ctx context.Context, plugin string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM plugin_kv WHERE plugin = ?`, plugin); err != nil {
		return fmt.Errorf("sqlite: wipe plugin kv %s: %w", plugin, mapErr(err))
	}
	return nil
}
