package plugin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// machine is one loaded version of a plugin: its own wazero runtime (so
// the memory limit is its own), the compiled module, and at most one live
// instance. Calls are serialized: api.Function is not goroutine-safe.
type machine struct {
	p        *Plugin
	manifest *Manifest
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	modCfg   wazero.ModuleConfig

	life   sync.RWMutex // held for reading by each call; closing takes it
	closed bool

	mu      sync.Mutex // serializes calls on the instance
	mod     api.Module
	alloc   api.Function
	fns     map[string]api.Function
	pending []byte // the last host import's result, for pds.result
	stderr  *stderrTail
	export  struct {
		key  string
		data []byte
	} // the CAR export being paged through
}

// newMachine compiles wasm in a fresh runtime sharing the host's cache.
func newMachine(ctx context.Context, h *Host, p *Plugin, m *Manifest, wasm []byte, dataDir string) (*machine, error) {
	cfg := wazero.NewRuntimeConfigCompiler().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(uint32(m.Limits.MemoryMiB) * 16).
		WithCompilationCache(h.cache)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	mc := &machine{p: p, manifest: m, rt: rt, stderr: &stderrTail{logWriter: logWriter{h.log, m.ID, "stderr"}}}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("plugin %s: wasi: %w", m.ID, err)
	}
	if err := mc.instantiateHost(ctx, h); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("plugin %s: host module: %w", m.ID, err)
	}
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("plugin %s: compile: %w", m.ID, err)
	}
	mc.compiled = compiled
	if err := checkModule(m, compiled); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	fs := wazero.NewFSConfig()
	if dataDir != "" {
		fs = fs.WithDirMount(dataDir, "/data")
	}
	mc.modCfg = wazero.NewModuleConfig().
		WithName("").
		WithFSConfig(fs).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithStdout(logWriter{h.log, m.ID, "stdout"}).
		WithStderr(mc.stderr).
		WithArgs(m.ID)
	if _, ok := compiled.ExportedFunctions()["_initialize"]; ok {
		mc.modCfg = mc.modCfg.WithStartFunctions("_initialize")
	} else {
		mc.modCfg = mc.modCfg.WithStartFunctions()
	}
	return mc, nil
}

// ensure instantiates the module if there is no live instance. mu is held.
func (mc *machine) ensure(ctx context.Context) error {
	if mc.mod != nil && !mc.mod.IsClosed() {
		return nil
	}
	mc.mod = nil
	// Instantiation runs the guest's initializer: bound it too.
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	mod, err := mc.rt.InstantiateModule(ictx, mc.compiled, mc.modCfg)
	if err != nil {
		return fmt.Errorf("plugin %s: instantiate: %w", mc.manifest.ID, err)
	}
	mc.mod = mod
	mc.alloc = mod.ExportedFunction("pds_alloc")
	mc.fns = map[string]api.Function{}
	return nil
}

// errClosed says the machine was swapped out and closed; retry on the new one.
var errClosed = errors.New("plugin version closed")

// call runs hook export with input under timeout and returns a copy of its
// answer. Any failure (trap, timeout, out-of-memory, exit) discards the
// instance: the next call gets a fresh one.
func (mc *machine) call(ctx context.Context, export string, input []byte, timeout time.Duration) ([]byte, error) {
	mc.life.RLock()
	defer mc.life.RUnlock()
	if mc.closed {
		return nil, errClosed
	}
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if err := mc.ensure(ctx); err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	mc.stderr.reset()
	out, err := mc.invoke(cctx, export, input)
	if err != nil {
		if ctx.Err() == nil && cctx.Err() != nil {
			err = fmt.Errorf("%w after %s: %w", ErrTimeout, timeout, err)
		}
		if said := mc.stderr.take(); said != "" {
			err = fmt.Errorf("%w (the plugin wrote: %s)", err, said)
		}
		mc.discard(ctx)
		return nil, fmt.Errorf("plugin %s: %s: %w", mc.manifest.ID, export, err)
	}
	return out, nil
}

func (mc *machine) invoke(ctx context.Context, export string, input []byte) ([]byte, error) {
	fn := mc.fns[export]
	if fn == nil {
		fn = mc.mod.ExportedFunction(export)
		if fn == nil {
			return nil, fmt.Errorf("module does not export %q", export)
		}
		mc.fns[export] = fn
	}
	if mc.alloc == nil {
		return nil, errors.New("module does not export pds_alloc")
	}
	res, err := mc.alloc.Call(ctx, uint64(len(input)))
	if err != nil {
		return nil, fmt.Errorf("pds_alloc: %w", err)
	}
	ptr := uint32(res[0])
	if len(input) > 0 && !mc.mod.Memory().Write(ptr, input) {
		return nil, fmt.Errorf("pds_alloc returned %d, outside memory", ptr)
	}
	res, err = fn.Call(ctx, uint64(ptr), uint64(len(input)))
	if err != nil {
		return nil, err
	}
	optr, olen := uint32(res[0]>>32), uint32(res[0])
	if olen == 0 {
		return nil, nil
	}
	b, ok := mc.mod.Memory().Read(optr, olen)
	if !ok {
		return nil, fmt.Errorf("answer at %d+%d is outside memory", optr, olen)
	}
	return append([]byte(nil), b...), nil
}

// discard closes the instance after a failure. mu is held.
func (mc *machine) discard(ctx context.Context) {
	if mc.mod != nil {
		_ = mc.mod.Close(context.WithoutCancel(ctx))
		mc.mod = nil
	}
}

// restart closes the live instance once the call in flight (if any) has
// returned; the next call instantiates a fresh one.
func (mc *machine) restart(ctx context.Context) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	mc.discard(ctx)
}

// close waits for in-flight calls, then frees the runtime.
func (mc *machine) close(ctx context.Context) {
	mc.life.Lock()
	defer mc.life.Unlock()
	if mc.closed {
		return
	}
	mc.closed = true
	_ = mc.rt.Close(ctx)
}
