package plugin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// ErrQuota is a kv_put past the plugin's quota.
var ErrQuota = errors.New("kv quota exceeded")

// KV is the plugins' key-value storage, namespaced by plugin id. Put
// refuses (ErrQuota) a write that would take the namespace's keys and
// values past quota bytes.
type KV interface {
	Get(ctx context.Context, plugin, key string) ([]byte, error)
	Put(ctx context.Context, plugin, key string, value []byte, quota int64) error
	Delete(ctx context.Context, plugin, key string) error
	List(ctx context.Context, plugin, prefix, after string, limit int) ([]string, error)
	Wipe(ctx context.Context, plugin string) error
}

// MemoryKV is a KV in memory (tests, and hosts without persistence).
type MemoryKV struct {
	mu   sync.Mutex
	data map[string]map[string][]byte
	used map[string]int64
}

var _ KV = (*MemoryKV)(nil)

// NewMemoryKV returns an empty MemoryKV.
func NewMemoryKV() *MemoryKV {
	return &MemoryKV{data: map[string]map[string][]byte{}, used: map[string]int64{}}
}

// Get implements KV.
func (m *MemoryKV) Get(_ context.Context, plugin, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[plugin][key]
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte(nil), v...), nil
}

// Put implements KV.
func (m *MemoryKV) Put(_ context.Context, plugin, key string, value []byte, quota int64) error {
	if key == "" || len(key) > 1024 {
		return errors.New("kv key must be 1..1024 bytes")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ns := m.data[plugin]
	if ns == nil {
		ns = map[string][]byte{}
		m.data[plugin] = ns
	}
	used := m.used[plugin]
	if old, ok := ns[key]; ok {
		used -= int64(len(key) + len(old))
	}
	used += int64(len(key) + len(value))
	if used > quota {
		return fmt.Errorf("%w: %d of %d bytes", ErrQuota, used, quota)
	}
	ns[key] = append([]byte(nil), value...)
	m.used[plugin] = used
	return nil
}

// Delete implements KV.
func (m *MemoryKV) Delete(_ context.Context, plugin, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.data[plugin][key]; ok {
		m.used[plugin] -= int64(len(key) + len(old))
		delete(m.data[plugin], key)
	}
	return nil
}

// List implements KV.
func (m *MemoryKV) List(_ context.Context, plugin, prefix, after string, limit int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.data[plugin] {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > limit {
		keys = keys[:limit]
	}
	return keys, nil
}

// Wipe implements KV.
func (m *MemoryKV) Wipe(_ context.Context, plugin string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, plugin)
	delete(m.used, plugin)
	return nil
}
