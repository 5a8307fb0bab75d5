package store

import (
	"context"
	"errors"
)

// ErrPluginQuota is a PutPluginKV past the plugin's quota.
var ErrPluginQuota = errors.New("store: plugin kv quota exceeded")

// PluginKV stores plugins' key-value data (the kv_* host functions of
// backend/plugin), namespaced by plugin id. A namespace's size is the sum
// of its keys' and values' lengths in bytes.
type PluginKV interface {
	// GetPluginKV returns a value, or ErrNotFound.
	GetPluginKV(ctx context.Context, plugin, key string) ([]byte, error)
	// PutPluginKV writes a value unless the namespace would then exceed
	// quota bytes (ErrPluginQuota, nothing written). The check and the
	// write are one step.
	PutPluginKV(ctx context.Context, plugin, key string, value []byte, quota int64) error
	// DeletePluginKV removes a key (absent keys are not an error).
	DeletePluginKV(ctx context.Context, plugin, key string) error
	// ListPluginKV lists up to limit keys with prefix, strictly after
	// after, in byte order.
	ListPluginKV(ctx context.Context, plugin, prefix, after string, limit int) ([]string, error)
	// WipePluginKV deletes a plugin's namespace.
	WipePluginKV(ctx context.Context, plugin string) error
}
