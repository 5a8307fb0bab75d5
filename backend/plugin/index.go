package plugin

import (
	"fmt"
	"sort"
	"strings"
)

// hookIndex is the immutable dispatch table: for each hook, the enabled
// plugins declaring it, in priority order; and the registered NSIDs.
type hookIndex struct {
	hooks map[string][]hookEntry
	nsids []nsidEntry
}

type hookEntry struct {
	p    *Plugin
	spec HookSpec
}

type nsidEntry struct {
	pattern string
	p       *Plugin
}

// rebuild recomputes the index after a lifecycle change. h.mu is held.
func (h *Host) rebuild() {
	ix := &hookIndex{hooks: map[string][]hookEntry{}}
	if h.closed {
		h.index.Store(ix)
		return
	}
	for _, p := range h.plugins {
		p.mu.Lock()
		enabled, m := p.saved.State == StateEnabled, p.manifest
		reg, hasReg := findCap(p.saved.Granted, CapXRPCRegister)
		p.mu.Unlock()
		if !enabled {
			continue
		}
		for name, spec := range m.Hooks {
			ix.hooks[name] = append(ix.hooks[name], hookEntry{p: p, spec: spec})
		}
		if _, ok := m.Hooks["xrpc.handle"]; ok && hasReg {
			for _, n := range reg.NSIDs {
				ix.nsids = append(ix.nsids, nsidEntry{pattern: n, p: p})
			}
		}
	}
	for _, list := range ix.hooks {
		sort.Slice(list, func(i, j int) bool {
			if list[i].spec.Priority != list[j].spec.Priority {
				return list[i].spec.Priority < list[j].spec.Priority
			}
			return list[i].p.id < list[j].p.id
		})
	}
	h.index.Store(ix)
}

// ErrNSIDTaken is an xrpc:register colliding with the server or another plugin.
var ErrNSIDTaken = fmt.Errorf("NSID already registered")

// checkNSIDs refuses registrations that collide. h.mu is held.
func (h *Host) checkNSIDs(id string, nsids []string) error {
	for _, n := range nsids {
		for _, r := range reservedNSIDs {
			if globsOverlap(n, r+"*") {
				return fmt.Errorf("%w: %s is under %s*", ErrNSIDTaken, n, r)
			}
		}
		for _, s := range h.opts.ServerNSIDs {
			if globMatch(n, s) {
				return fmt.Errorf("%w: %s covers the server's %s", ErrNSIDTaken, n, s)
			}
		}
		for _, e := range h.index.Load().nsids {
			if e.p.id != id && globsOverlap(n, e.pattern) {
				return fmt.Errorf("%w: %s overlaps %s of plugin %s", ErrNSIDTaken, n, e.pattern, e.p.id)
			}
		}
	}
	return nil
}

// handlerFor finds the plugin serving nsid.
func (ix *hookIndex) handlerFor(nsid string) *Plugin {
	for _, e := range ix.nsids {
		if globMatch(e.pattern, nsid) || (!strings.HasSuffix(e.pattern, "*") && e.pattern == nsid) {
			return e.p
		}
	}
	return nil
}

// HasHook reports whether an enabled plugin declares hook (e.g.
// "firehose.on_commit"), so callers skip building events nobody takes. It
// takes no lock.
func (h *Host) HasHook(hook string) bool { return len(h.index.Load().hooks[hook]) > 0 }
