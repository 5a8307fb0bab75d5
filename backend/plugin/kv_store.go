package plugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// StoreKV is the KV the server uses: plugins' kv in the database
// (store.PluginKV, table plugin_kv), so it survives restarts.
type StoreKV struct{ Store store.PluginKV }

var _ KV = StoreKV{}

func kvErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, store.ErrPluginQuota):
		return fmt.Errorf("%w: %w", ErrQuota, err)
	}
	return err
}

// Get implements KV.
func (s StoreKV) Get(ctx context.Context, plugin, key string) ([]byte, error) {
	v, err := s.Store.GetPluginKV(ctx, plugin, key)
	return v, kvErr(err)
}

// Put implements KV.
func (s StoreKV) Put(ctx context.Context, plugin, key string, value []byte, quota int64) error {
	if key == "" || len(key) > 1024 {
		return errors.New("kv key must be 1..1024 bytes")
	}
	return kvErr(s.Store.PutPluginKV(ctx, plugin, key, value, quota))
}

// Delete implements KV.
func (s StoreKV) Delete(ctx context.Context, plugin, key string) error {
	return kvErr(s.Store.DeletePluginKV(ctx, plugin, key))
}

// List implements KV.
func (s StoreKV) List(ctx context.Context, plugin, prefix, after string, limit int) ([]string, error) {
	keys, err := s.Store.ListPluginKV(ctx, plugin, prefix, after, limit)
	return keys, kvErr(err)
}

// Wipe implements KV.
func (s StoreKV) Wipe(ctx context.Context, plugin string) error {
	return kvErr(s.Store.WipePluginKV(ctx, plugin))
}
