package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
)

// Options configure a Host.
type Options struct {
	// Dir holds installed plugins (Dir/<id>/bundle, Dir/<id>/data,
	// Dir/<id>/state.json) and the compilation cache (Dir/.cache).
	Dir string
	// CacheDir holds the compilation cache, shared by every plugin (and by
	// hosts that name the same directory); default Dir/.cache.
	CacheDir string
	KV       KV      // default: NewMemoryKV()
	Records  Records // nil: record_get/record_list fail
	Blobs    Blobs
	Repos    Repos
	Fetch    FetchPolicy
	// BreakerThreshold is how many consecutive failures mark a plugin
	// failed (default 5).
	BreakerThreshold int
	// ServerNSIDs are the methods the server serves itself; a plugin may
	// not register over them.
	ServerNSIDs []string
	// AfterQueue bounds after-hooks waiting to run (default 1024); past
	// it they are dropped and logged, never slowing a write.
	AfterQueue int
	Logger     *slog.Logger
	// Secrets seals configuration values of type "secret" in state.json
	// (the server's master key); nil: such values cannot be set.
	Secrets Secrets
}

// Secrets seals and opens secret configuration values; keys.Sealer is one.
type Secrets interface {
	Seal(plaintext, ad []byte) ([]byte, error)
	Open(sealed, ad []byte) ([]byte, error)
}

// Host runs the installed plugins.
type Host struct {
	opts        Options
	log         *slog.Logger
	kv          KV
	cache       wazero.CompilationCache
	fetchPolicy FetchPolicy
	transport   *http.Transport

	mu      sync.Mutex // lifecycle operations
	plugins map[string]*Plugin
	index   atomic.Pointer[hookIndex]

	closeOnce   sync.Once
	closed      bool // guarded by mu; rebuild keeps the index empty
	after       chan func()
	afterMu     sync.RWMutex // async holds it for reading while it queues
	afterClosed bool
	afterWG     sync.WaitGroup
	workers     sync.WaitGroup
}

// Errors of the lifecycle.
var (
	ErrUnknownPlugin = errors.New("no such plugin")
	ErrExists        = errors.New("plugin already installed")
)

// New opens the host and starts the plugins that were enabled.
func New(ctx context.Context, opts Options) (*Host, error) {
	if opts.Dir == "" {
		return nil, errors.New("plugin host: Options.Dir is required")
	}
	if opts.KV == nil {
		opts.KV = NewMemoryKV()
	}
	if opts.BreakerThreshold <= 0 {
		opts.BreakerThreshold = 5
	}
	if opts.AfterQueue <= 0 {
		opts.AfterQueue = 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(opts.Dir, ".cache")
	}
	if err := os.MkdirAll(opts.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("plugin host: %w", err)
	}
	cache, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("plugin host: compilation cache: %w", err)
	}
	h := &Host{opts: opts, log: opts.Logger, kv: opts.KV, cache: cache, plugins: map[string]*Plugin{},
		fetchPolicy: opts.Fetch.withDefaults(), after: make(chan func(), opts.AfterQueue)}
	h.transport = h.fetchPolicy.newTransport()
	h.index.Store(&hookIndex{})
	for range 2 {
		h.workers.Add(1)
		go h.afterWorker()
	}
	if err := h.loadInstalled(ctx); err != nil {
		h.Close(ctx)
		return nil, err
	}
	return h, nil
}

// Close stops every plugin after the queued after-hooks ran.
func (h *Host) Close(ctx context.Context) {
	h.closeOnce.Do(func() { h.close(ctx) })
}

func (h *Host) close(ctx context.Context) {
	h.mu.Lock()
	h.closed = true
	h.index.Store(&hookIndex{}) // no more hooks dispatched
	h.mu.Unlock()
	h.afterMu.Lock()
	h.afterClosed = true
	h.afterMu.Unlock()
	h.afterWG.Wait()
	close(h.after)
	h.workers.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.plugins {
		if mc := p.cur.Swap(nil); mc != nil {
			mc.close(ctx)
		}
	}
	h.transport.CloseIdleConnections()
	_ = h.cache.Close(ctx)
}

func (h *Host) loadInstalled(ctx context.Context) error {
	entries, err := os.ReadDir(h.opts.Dir)
	if err != nil {
		return fmt.Errorf("plugin host: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == ".cache" {
			continue
		}
		dir := filepath.Join(h.opts.Dir, e.Name())
		b, err := readBundle(filepath.Join(dir, "bundle"))
		if err != nil {
			h.log.Error("plugin bundle unreadable; skipped", "dir", dir, "err", err)
			continue
		}
		p := &Plugin{host: h, id: b.manifest.ID, dir: dir, manifest: b.manifest, lex: b.lexicons}
		if err := p.load(); err != nil {
			return err
		}
		h.plugins[p.id] = p
		if p.saved.State == StateEnabled {
			if err := h.start(ctx, p, b.wasm); err != nil {
				h.log.Error("plugin failed to start", "plugin", p.id, "err", err)
				p.saved.State = StateFailed
			}
		}
	}
	h.rebuild()
	return nil
}

func (h *Host) get(id string) (*Plugin, error) {
	p, ok := h.plugins[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownPlugin, id)
	}
	return p, nil
}

// logWriter sends a guest's stdout/stderr lines to the log.
type logWriter struct {
	log    *slog.Logger
	id, fd string
}

func (w logWriter) Write(b []byte) (int, error) {
	w.log.Info(string(b), "plugin", w.id, "fd", w.fd)
	return len(b), nil
}

var _ io.Writer = logWriter{}
