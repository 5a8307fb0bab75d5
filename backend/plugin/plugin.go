package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// State is a plugin's lifecycle state.
type State string

// States: installed (validated, disabled) → enabled → failed | disabled.
const (
	StateDisabled State = "disabled"
	StateEnabled  State = "enabled"
	StateFailed   State = "failed"
)

// ErrTimeout marks a hook stopped at its deadline.
var ErrTimeout = errors.New("hook timed out")

// Plugin is one installed plugin.
type Plugin struct {
	host *Host
	id   string
	dir  string

	cur atomic.Pointer[machine] // the version serving calls (nil unless enabled)

	mu       sync.Mutex // guards everything below
	manifest *Manifest
	lex      *Lexicons // bundled lexicons (lexicons.go); nil: none
	saved    savedState
	failures int // consecutive
	stats    stats
}

// savedState is what survives a restart (state.json in the plugin's dir).
type savedState struct {
	State   State          `json:"state"`
	Granted []Capability   `json:"granted"`
	Config  map[string]any `json:"config,omitempty"`
	// Secrets holds the values of "secret" config fields, sealed under
	// the host's Secrets (associated data: secretAD).
	Secrets    map[string][]byte `json:"secrets,omitempty"`
	Cursor     int64             `json:"cursor"`
	Unverified bool              `json:"unverified"`
	// Source is the folder or .zip the plugin was installed or last
	// reloaded from: Reload without a path reads it again while it is
	// still there (a developer rebuilds in place), else the installed copy.
	Source string `json:"source,omitempty"`
}

func (p *Plugin) granted(kind string) bool {
	_, ok := p.grantedCap(kind)
	return ok
}

func (p *Plugin) grantedCap(kind string) (Capability, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return findCap(p.saved.Granted, kind)
}

func (p *Plugin) cursor() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.saved.Cursor
}

func (p *Plugin) setCursor(seq int64) error {
	p.mu.Lock()
	p.saved.Cursor = seq
	p.mu.Unlock()
	return p.save()
}

// configValue returns the value of key (operator's or the default): a
// string as its text, anything else as JSON.
func (p *Plugin) configValue(key string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.manifest.Config[key]
	if !ok {
		return nil, ErrNotFound
	}
	if f.Type == "secret" {
		sealed, ok := p.saved.Secrets[key]
		if !ok || p.host.opts.Secrets == nil {
			return nil, ErrNotFound
		}
		return p.host.opts.Secrets.Open(sealed, secretAD(p.id, key))
	}
	v, ok := p.saved.Config[key]
	if !ok {
		v = f.Default
	}
	if s, ok := v.(string); ok {
		return []byte(s), nil
	}
	return json.Marshal(v)
}

// call runs a hook on the current version, retrying once if a reload
// closed the version it picked, and keeps the plugin's accounts.
func (p *Plugin) call(ctx context.Context, hook string, input []byte, timeout time.Duration) ([]byte, error) {
	start := time.Now()
	var out []byte
	var err error
	for range 3 {
		mc := p.cur.Load()
		if mc == nil {
			return nil, fmt.Errorf("plugin %s is not enabled", p.id)
		}
		out, err = mc.call(ctx, hook, input, timeout)
		if !errors.Is(err, errClosed) {
			break
		}
	}
	p.account(ctx, time.Since(start), err)
	return out, err
}

// account records a call; consecutive failures past the host's threshold
// trip the circuit breaker: the plugin becomes failed and stops being called.
func (p *Plugin) account(ctx context.Context, d time.Duration, err error) {
	p.mu.Lock()
	p.stats.add(d, err)
	trip := false
	if err == nil {
		p.failures = 0
	} else if ctx.Err() == nil { // a caller giving up is not the plugin's fault
		p.failures++
		trip = p.failures >= p.host.opts.BreakerThreshold && p.saved.State == StateEnabled
	}
	p.mu.Unlock()
	if err != nil {
		p.host.log.Warn("plugin call failed", "plugin", p.id, "err", err)
	}
	if trip {
		p.host.trip(context.WithoutCancel(ctx), p, err)
	}
}

// stats are a plugin's call counts, latencies and recent errors.
type stats struct {
	calls, errors int64
	lat           [256]time.Duration
	n             int
	recent        []RecentError
}

// RecentError is one of a plugin's last failures.
type RecentError struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"`
}

func (s *stats) add(d time.Duration, err error) {
	s.calls++
	s.lat[s.n%len(s.lat)] = d
	s.n++
	if err != nil {
		s.errors++
		s.recent = append(s.recent, RecentError{At: time.Now().UTC(), Error: err.Error()})
		if len(s.recent) > 20 {
			s.recent = s.recent[len(s.recent)-20:]
		}
	}
}

func (s *stats) percentile(q float64) time.Duration {
	n := min(s.n, len(s.lat))
	if n == 0 {
		return 0
	}
	l := slices.Clone(s.lat[:n])
	slices.Sort(l)
	return l[int(float64(n-1)*q)]
}

// SecretSet stands for a secret config value in Info: the value itself is
// never reported.
const SecretSet = "(set)"

// secretAD binds a sealed secret to its plugin and key.
func secretAD(id, key string) []byte { return []byte("hearth/plugin-secret/v1:" + id + ":" + key) }

// Info is what Inspect reports.
type Info struct {
	Manifest     Manifest       `json:"manifest"`
	State        State          `json:"state"`
	Granted      []Capability   `json:"granted"`
	Config       map[string]any `json:"config,omitempty"`
	Unverified   bool           `json:"unverified"`
	Source       string         `json:"source,omitempty"`
	Calls        int64          `json:"calls"`
	Errors       int64          `json:"errors"`
	P50          time.Duration  `json:"p50"`
	P99          time.Duration  `json:"p99"`
	RecentErrors []RecentError  `json:"recentErrors,omitempty"`
}

func (p *Plugin) info() Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	granted := slices.Clone(p.saved.Granted)
	if granted == nil {
		granted = []Capability{}
	}
	config := maps.Clone(p.saved.Config)
	for k := range p.saved.Secrets {
		if config == nil {
			config = map[string]any{}
		}
		config[k] = SecretSet
	}
	return Info{Manifest: *p.manifest, State: p.saved.State, Granted: granted,
		Config: config, Unverified: p.saved.Unverified, Source: p.saved.Source,
		Calls: p.stats.calls, Errors: p.stats.errors, P50: p.stats.percentile(0.5), P99: p.stats.percentile(0.99),
		RecentErrors: slices.Clone(p.stats.recent)}
}
