package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Install sideloads a plugin from a folder or .zip: the manifest is
// validated, the wasm's SHA-256 checked and its imports and exports checked
// against the declared capabilities. The plugin starts disabled and is
// marked unverified.
func (h *Host) Install(ctx context.Context, path string) (*Manifest, error) {
	b, err := openBundle(path)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.plugins[b.manifest.ID]; ok {
		return nil, fmt.Errorf("%w: %s (reload it instead)", ErrExists, b.manifest.ID)
	}
	// Compile once to check the module against its manifest.
	mc, err := newMachine(ctx, h, &Plugin{host: h, id: b.manifest.ID}, b.manifest, b.wasm, "")
	if err != nil {
		return nil, err
	}
	mc.close(ctx)
	dir := filepath.Join(h.opts.Dir, b.manifest.ID)
	if err := b.writeTo(filepath.Join(dir, "bundle")); err != nil {
		return nil, err
	}
	p := &Plugin{host: h, id: b.manifest.ID, dir: dir, manifest: b.manifest, lex: b.lexicons,
		saved: savedState{State: StateDisabled, Unverified: true, Source: absPath(path)}}
	if err := p.save(); err != nil {
		return nil, err
	}
	h.plugins[p.id] = p
	return b.manifest, nil
}

// Enable starts a plugin with the capabilities the user granted: the
// effective rights are the grant narrowed to the manifest's declarations.
// A nil grant grants everything declared.
func (h *Host) Enable(ctx context.Context, id string, grant []Capability) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.get(id)
	if err != nil {
		return err
	}
	if grant == nil {
		grant = DefaultGrant(p.manifest.Capabilities)
	}
	eff := Intersect(p.manifest.Capabilities, grant)
	if c, ok := findCap(eff, CapXRPCRegister); ok {
		if err := h.checkNSIDs(p.id, c.NSIDs); err != nil {
			return err
		}
	}
	b, err := readBundle(filepath.Join(p.dir, "bundle"))
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.saved.Granted, p.saved.State, p.failures = eff, StateEnabled, 0
	p.lex = b.lexicons
	p.mu.Unlock()
	if err := h.start(ctx, p, b.wasm); err != nil {
		p.mu.Lock()
		p.saved.State = StateDisabled
		p.mu.Unlock()
		return err
	}
	h.rebuild()
	return p.save()
}

// start compiles p's wasm into a new version and makes it current.
func (h *Host) start(ctx context.Context, p *Plugin, wasm []byte) error {
	data := filepath.Join(p.dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return fmt.Errorf("plugin %s: data dir: %w", p.id, err)
	}
	mc, err := newMachine(ctx, h, p, p.manifest, wasm, data)
	if err != nil {
		return err
	}
	if old := p.cur.Swap(mc); old != nil {
		go old.close(context.WithoutCancel(ctx))
	}
	return nil
}

// Disable stops a plugin; its kv and data stay.
func (h *Host) Disable(ctx context.Context, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.get(id)
	if err != nil {
		return err
	}
	h.stop(ctx, p, StateDisabled)
	return p.save()
}

func (h *Host) stop(ctx context.Context, p *Plugin, s State) {
	p.mu.Lock()
	p.saved.State = s
	p.mu.Unlock()
	h.rebuild()
	if old := p.cur.Swap(nil); old != nil {
		go old.close(context.WithoutCancel(ctx))
	}
}

// trip is the circuit breaker: the plugin is marked failed and stopped.
func (h *Host) trip(ctx context.Context, p *Plugin, cause error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log.Error("plugin failed too often; marked failed", "plugin", p.id, "err", cause)
	h.stop(ctx, p, StateFailed)
	if err := p.save(); err != nil {
		h.log.Error("plugin state not saved", "plugin", p.id, "err", err)
	}
}

// Reload installs a new version of a plugin from path ("": from the folder
// or .zip it was installed or last reloaded from, if it is still there,
// else the installed bundle) and, if it is enabled, swaps it in atomically: calls
// in flight finish on the old version, later calls use the new one. The
// id must not change; the grant is narrowed to the new manifest.
func (h *Host) Reload(ctx context.Context, id, path string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.get(id)
	if err != nil {
		return err
	}
	src, forget := path, false
	if src == "" {
		p.mu.Lock()
		src = p.saved.Source
		p.mu.Unlock()
		if _, err := os.Stat(src); src == "" || err != nil {
			// No source, or it is gone: restart the installed copy.
			src, forget = filepath.Join(p.dir, "bundle"), src != ""
		} else {
			path = src
		}
	}
	b, err := openBundle(src)
	if err != nil {
		return err
	}
	if b.manifest.ID != id {
		return fmt.Errorf("%w: id: reload of %s got %s", ErrManifest, id, b.manifest.ID)
	}
	check, err := newMachine(ctx, h, p, b.manifest, b.wasm, "")
	if err != nil {
		return err
	}
	check.close(ctx)
	if path != "" {
		if err := b.writeTo(filepath.Join(p.dir, "bundle")); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.manifest, p.lex = b.manifest, b.lexicons
	p.saved.Granted = Intersect(b.manifest.Capabilities, p.saved.Granted)
	p.saved.Unverified = true
	if path != "" {
		p.saved.Source = absPath(path)
	} else if forget {
		p.saved.Source = ""
	}
	enabled := p.saved.State == StateEnabled
	p.mu.Unlock()
	if enabled {
		if err := h.start(ctx, p, b.wasm); err != nil {
			return err
		}
	}
	h.rebuild()
	return p.save()
}

// Uninstall removes a plugin; wipe also deletes its kv and /data.
func (h *Host) Uninstall(ctx context.Context, id string, wipe bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.get(id)
	if err != nil {
		return err
	}
	h.stop(ctx, p, StateDisabled)
	delete(h.plugins, id)
	h.rebuild()
	if wipe {
		if err := h.kv.Wipe(ctx, id); err != nil {
			return fmt.Errorf("plugin %s: wipe kv: %w", id, err)
		}
		return os.RemoveAll(p.dir)
	}
	// Keep data and kv; drop the bundle and state so it can be reinstalled.
	if err := os.RemoveAll(filepath.Join(p.dir, "bundle")); err != nil {
		return err
	}
	return os.Remove(filepath.Join(p.dir, "state.json"))
}

// ErrConfig marks a configuration value the plugin's schema refuses.
var ErrConfig = errors.New("invalid plugin configuration")

// Configure sets operator configuration values, checked against the
// schema, and restarts the plugin's instance so they apply to its next call.
func (h *Host) Configure(ctx context.Context, id string, values map[string]any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.get(id)
	if err != nil {
		return err
	}
	p.mu.Lock()
	for k, v := range values {
		f, ok := p.manifest.Config[k]
		if !ok {
			p.mu.Unlock()
			return fmt.Errorf("%w: %s is not in the plugin's config schema", ErrConfig, k)
		}
		if err := checkConfigValue(k, f.Type, v, false); err != nil {
			p.mu.Unlock()
			var fe *FieldError
			if errors.As(err, &fe) {
				return fmt.Errorf("%w: %s: %s", ErrConfig, fe.Field, fe.Msg)
			}
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if p.saved.Config == nil {
		p.saved.Config = map[string]any{}
	}
	for k, v := range values {
		if p.manifest.Config[k].Type != "secret" {
			p.saved.Config[k] = v
			continue
		}
		if err := p.setSecret(k, v.(string)); err != nil {
			p.mu.Unlock()
			return err
		}
	}
	p.mu.Unlock()
	if err := p.save(); err != nil {
		return err
	}
	// A plugin may read its configuration once per instance: start its
	// next call on a fresh one so the new values apply at once.
	if mc := p.cur.Load(); mc != nil {
		mc.restart(ctx)
	}
	return nil
}

// setSecret seals a secret config value (an empty one removes it). p.mu
// is held.
func (p *Plugin) setSecret(key, value string) error {
	if value == "" {
		delete(p.saved.Secrets, key)
		return nil
	}
	if p.host.opts.Secrets == nil {
		return fmt.Errorf("%w: %s is a secret, and this server has no master key to seal it with", ErrConfig, key)
	}
	sealed, err := p.host.opts.Secrets.Seal([]byte(value), secretAD(p.id, key))
	if err != nil {
		return fmt.Errorf("plugin %s: seal %s: %w", p.id, key, err)
	}
	if p.saved.Secrets == nil {
		p.saved.Secrets = map[string][]byte{}
	}
	p.saved.Secrets[key] = sealed
	return nil
}

// Inspect reports a plugin's manifest, grant, state and accounts.
func (h *Host) Inspect(id string) (Info, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.get(id)
	if err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

// List reports every installed plugin, by id.
func (h *Host) List() []Info {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Info, 0, len(h.plugins))
	for _, p := range h.plugins {
		out = append(out, p.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Manifest.ID < out[j].Manifest.ID })
	return out
}

// absPath makes a bundle path absolute for remembering ("" on failure:
// then Reload falls back to the installed copy).
func absPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	return abs
}
