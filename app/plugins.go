package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/hearthpds/hearth/backend/plugin"
)

// The Plugins page's bindings: the WebAssembly plugins of the running
// server's plugin host (backend/plugin), called in-process as the
// operator's dev.hearthpds.plugin.* methods do over XRPC. Installing takes
// a folder or .zip on this computer; enabling takes the capabilities the
// user ticked in the review.

// CapabilityView is one capability a plugin declares or was granted. As an
// argument of EnablePlugin it is one ticked capability: a list left empty
// grants everything the manifest declares for it, a shorter list narrows
// it (the host drops what the manifest does not cover).
type CapabilityView struct {
	Kind        string   `json:"kind"`
	Hosts       []string `json:"hosts,omitempty"`
	Methods     []string `json:"methods,omitempty"`
	Collections []string `json:"collections,omitempty"`
	NSIDs       []string `json:"nsids,omitempty"`
	// Description says what the capability allows, in plain words (set in
	// answers, ignored in a grant).
	Description string `json:"description,omitempty"`
}

// HookView is one hook of a plugin: when it runs, in plain words.
type HookView struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Collections []string `json:"collections,omitempty"`
	NSIDs       []string `json:"nsids,omitempty"`
	Priority    int      `json:"priority"`
}

// LimitsView is a plugin's resource limits.
type LimitsView struct {
	MemoryMiB       int    `json:"memoryMiB"`
	BeforeTimeoutMS int    `json:"beforeTimeoutMs"`
	AfterTimeoutMS  int    `json:"afterTimeoutMs"`
	OnError         string `json:"onError"`
	KVQuotaKiB      int    `json:"kvQuotaKiB"`
}

// ConfigFieldView is one entry of a plugin's configuration schema with its
// current value (the user's, or else the default).
type ConfigFieldView struct {
	Key string `json:"key"`
	// Type is string, string[], int, number or bool.
	Type    string `json:"type"`
	Default any    `json:"default"`
	Value   any    `json:"value"`
	// Set is true when the user set the value (false: the default).
	Set bool `json:"set"`
}

// PluginErrorView is one of a plugin's recent failures.
type PluginErrorView struct {
	At    string `json:"at"`
	Error string `json:"error"`
}

// PluginView is an installed plugin as the Plugins page shows it.
type PluginView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	API     int    `json:"api"`
	Wasm    string `json:"wasm"`
	SHA256  string `json:"sha256"`
	// State is enabled, disabled or failed (stopped by the circuit breaker
	// after repeated failures).
	State string `json:"state"`
	// Unverified: sideloaded, not from a verified source.
	Unverified bool `json:"unverified"`
	// Source is the folder or .zip it was installed or last reloaded from
	// ("" when not known); Reload without a path reads it again.
	Source string `json:"source"`
	// Capabilities are those the manifest declares; Granted those the user
	// granted (kept while disabled).
	Capabilities []CapabilityView  `json:"capabilities"`
	Granted      []CapabilityView  `json:"granted"`
	Hooks        []HookView        `json:"hooks"`
	Limits       LimitsView        `json:"limits"`
	Config       []ConfigFieldView `json:"config"`
	Calls        int64             `json:"calls"`
	Errors       int64             `json:"errors"`
	P50Micros    float64           `json:"p50Micros"`
	P99Micros    float64           `json:"p99Micros"`
	RecentErrors []PluginErrorView `json:"recentErrors"`
}

// pluginCall bounds one lifecycle call: installing compiles the module,
// which takes seconds for a large guest on a cold cache.
const pluginCall = 2 * time.Minute

// pluginHost returns the running server's plugin host and a context for
// one call.
func (a *App) pluginHost() (*plugin.Host, context.Context, context.CancelFunc, error) {
	run, err := a.current()
	if err != nil {
		return nil, nil, nil, err
	}
	h := run.srv.Plugins()
	if h == nil {
		return nil, nil, nil, errors.New("the server runs without its plugin host (Unavailable)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), pluginCall)
	return h, ctx, cancel, nil
}

// Plugins lists the installed plugins, by id.
func (a *App) Plugins() ([]PluginView, error) {
	h, _, cancel, err := a.pluginHost()
	if err != nil {
		return nil, err
	}
	defer cancel()
	infos := h.List()
	out := make([]PluginView, len(infos))
	for i, info := range infos {
		out[i] = pluginView(info)
	}
	return out, nil
}

// Plugin returns one installed plugin.
func (a *App) Plugin(id string) (PluginView, error) {
	h, _, cancel, err := a.pluginHost()
	if err != nil {
		return PluginView{}, err
	}
	defer cancel()
	return a.pluginViewOf(h, id)
}

func (a *App) pluginViewOf(h *plugin.Host, id string) (PluginView, error) {
	info, err := h.Inspect(id)
	if err != nil {
		return PluginView{}, pluginUIError(err, nil)
	}
	return pluginView(info), nil
}

// InstallPlugin installs a plugin from a folder or .zip on this computer
// (an absolute path; a leading ~ is the home folder). It is checked
// (manifest, hash, imports against capabilities) and starts disabled and
// unverified: enable it after reviewing its capabilities.
func (a *App) InstallPlugin(path string) (PluginView, error) {
	h, ctx, cancel, err := a.pluginHost()
	if err != nil {
		return PluginView{}, err
	}
	defer cancel()
	abs, err := bundlePath(path)
	if err != nil {
		return PluginView{}, err
	}
	m, err := h.Install(ctx, abs)
	if err != nil {
		return PluginView{}, pluginUIError(err, nil)
	}
	a.log.Info("plugin installed", "plugin", m.ID, "version", m.Version, "from", abs)
	return a.pluginViewOf(h, m.ID)
}

// EnablePlugin starts a plugin with the capabilities the user ticked:
// grant is narrowed to what the manifest declares; a capability left out
// is not granted (an empty grant grants nothing).
func (a *App) EnablePlugin(id string, grant []CapabilityView) (PluginView, error) {
	h, ctx, cancel, err := a.pluginHost()
	if err != nil {
		return PluginView{}, err
	}
	defer cancel()
	caps := make([]plugin.Capability, 0, len(grant))
	for i, g := range grant {
		if g.Kind == "" {
			return PluginView{}, invalid("grant[%d]: a capability without a kind", i)
		}
		caps = append(caps, plugin.Capability{Kind: g.Kind, Hosts: g.Hosts, Methods: g.Methods, Collections: g.Collections, NSIDs: g.NSIDs})
	}
	if err := h.Enable(ctx, id, caps); err != nil {
		return PluginView{}, pluginUIError(err, nil)
	}
	a.log.Info("plugin enabled", "plugin", id)
	return a.pluginViewOf(h, id)
}

// DisablePlugin stops a plugin; its data, grant and configuration stay.
func (a *App) DisablePlugin(id string) (PluginView, error) {
	h, ctx, cancel, err := a.pluginHost()
	if err != nil {
		return PluginView{}, err
	}
	defer cancel()
	if err := h.Disable(ctx, id); err != nil {
		return PluginView{}, pluginUIError(err, nil)
	}
	a.log.Info("plugin disabled", "plugin", id)
	return a.pluginViewOf(h, id)
}

// ReloadPlugin installs a plugin's new version from path and, if it is
// enabled, swaps it in (calls in flight finish on the old one). An empty
// path reads the folder or .zip it was installed from again when that is
// still there, else restarts the installed copy. The id must stay the
// same; the grant is narrowed to the new manifest.
func (a *App) ReloadPlugin(id, path string) (PluginView, error) {
	h, ctx, cancel, err := a.pluginHost()
	if err != nil {
		return PluginView{}, err
	}
	defer cancel()
	src := ""
	if strings.TrimSpace(path) != "" {
		if src, err = bundlePath(path); err != nil {
			return PluginView{}, err
		}
	}
	if err := h.Reload(ctx, id, src); err != nil {
		return PluginView{}, pluginUIError(err, nil)
	}
	a.log.Info("plugin reloaded", "plugin", id, "from", cmp.Or(src, "its source or the installed copy"))
	return a.pluginViewOf(h, id)
}

// UninstallPlugin removes a plugin; with wipe its stored data (kv and its
// /data folder) goes too, else it stays for a later reinstall.
func (a *App) UninstallPlugin(id string, wipe bool) error {
	h, ctx, cancel, err := a.pluginHost()
	if err != nil {
		return err
	}
	defer cancel()
	if err := h.Uninstall(ctx, id, wipe); err != nil {
		return pluginUIError(err, nil)
	}
	a.log.Info("plugin uninstalled", "plugin", id, "wipe", wipe)
	return nil
}

// ConfigurePlugin sets configuration values, checked against the plugin's
// config schema (a refused value's error names its field); the plugin's
// next call sees them.
func (a *App) ConfigurePlugin(id string, values map[string]any) (PluginView, error) {
	h, ctx, cancel, err := a.pluginHost()
	if err != nil {
		return PluginView{}, err
	}
	defer cancel()
	if len(values) == 0 {
		return PluginView{}, invalid("no values to set")
	}
	if err := h.Configure(ctx, id, values); err != nil {
		return PluginView{}, pluginUIError(err, values)
	}
	a.log.Info("plugin configured", "plugin", id)
	return a.pluginViewOf(h, id)
}

// ChoosePluginFolder opens the system's folder dialog for a plugin's
// folder and returns its path ("" when cancelled). Without a window
// (hearth ui) the page asks for the path instead.
func (a *App) ChoosePluginFolder() (string, error) {
	a.mu.Lock()
	ctx := a.windowCtx
	a.mu.Unlock()
	if ctx == nil {
		return "", invalid("no folder dialog here: type the folder's path")
	}
	path, err := runtime.OpenDirectoryDialog(ctx, runtime.OpenDialogOptions{Title: "Choose the plugin's folder (with its plugin.toml)"})
	if err != nil {
		return "", uiError(err)
	}
	return path, nil
}

// bundlePath cleans a folder or .zip path the user typed: absolute, with
// a leading ~ for the home folder.
func bundlePath(path string) (string, error) {
	p := strings.TrimSpace(path)
	if p == "" {
		return "", invalid("choose the plugin's folder or .zip")
	}
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", invalid("%s: no home folder to expand ~ in", p)
		}
		p = filepath.Join(home, p[1:])
	}
	if !filepath.IsAbs(p) {
		return "", invalid("type the full path of the plugin's folder or .zip (it starts with %s)", string(filepath.Separator))
	}
	return filepath.Clean(p), nil
}

// pluginUIError words the host's errors as the admin methods name them.
// values are a Configure call's (to find the field a refusal names).
func pluginUIError(err error, values map[string]any) error {
	name := "InvalidPlugin"
	words := capitalize(err.Error())
	switch {
	case errors.Is(err, plugin.ErrUnknownPlugin):
		name, words = "PluginNotFound", "No plugin with that id is installed: "+strings.TrimPrefix(err.Error(), plugin.ErrUnknownPlugin.Error()+": ")
	case errors.Is(err, plugin.ErrExists):
		name = "PluginExists"
	case errors.Is(err, plugin.ErrConfig):
		name, words = "InvalidConfig", configWords(err, values)
	case errors.Is(err, plugin.ErrManifest):
		name = "InvalidManifest"
	case errors.Is(err, fs.ErrNotExist):
		name, words = "InvalidRequest", "Nothing to install there (a plugin is a folder or .zip with plugin.toml and its .wasm): "+err.Error()
	}
	return errors.New(words + " (" + name + ")")
}

// configWords puts a refused configuration value as "field <key>: <why>",
// which the page shows next to that field.
func configWords(err error, values map[string]any) string {
	const lead = "The configuration does not fit the plugin's schema: "
	rest := strings.TrimPrefix(err.Error(), plugin.ErrConfig.Error()+": ")
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	// Longest first, so "a.b" wins over "a".
	slices.SortFunc(keys, func(x, y string) int { return cmp.Compare(len(y), len(x)) })
	for _, k := range keys {
		if why, ok := strings.CutPrefix(rest, k+": "); ok {
			return lead + "field " + k + ": " + why
		}
		if why, ok := strings.CutPrefix(rest, k+" is "); ok {
			return lead + "field " + k + ": " + why
		}
	}
	return lead + rest
}

// pluginView turns the host's Info into the page's view.
func pluginView(info plugin.Info) PluginView {
	m := info.Manifest
	v := PluginView{
		ID: m.ID, Name: m.Name, Version: m.Version, API: m.API, Wasm: m.Wasm, SHA256: m.SHA256,
		State: string(info.State), Unverified: info.Unverified, Source: info.Source,
		Capabilities: capabilityViews(m.Capabilities, m.Limits, false),
		Granted:      capabilityViews(info.Granted, m.Limits, true),
		Hooks:        hookViews(m.Hooks),
		Limits: LimitsView{MemoryMiB: m.Limits.MemoryMiB, BeforeTimeoutMS: m.Limits.BeforeTimeoutMS,
			AfterTimeoutMS: m.Limits.AfterTimeoutMS, OnError: m.Limits.OnError, KVQuotaKiB: m.Limits.KVQuotaKiB},
		Config: configViews(m.Config, info.Config),
		Calls:  info.Calls, Errors: info.Errors,
		P50Micros: micros(info.P50), P99Micros: micros(info.P99),
		RecentErrors: make([]PluginErrorView, 0, len(info.RecentErrors)),
	}
	// Newest first.
	for i := len(info.RecentErrors) - 1; i >= 0; i-- {
		e := info.RecentErrors[i]
		v.RecentErrors = append(v.RecentErrors, PluginErrorView{At: e.At.UTC().Format(time.RFC3339), Error: e.Error})
	}
	return v
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// capabilityViews describes capabilities as declared (granted false: "*"
// means hosts the user will choose) or as granted ("*" means any host).
func capabilityViews(caps []plugin.Capability, l plugin.Limits, granted bool) []CapabilityView {
	out := make([]CapabilityView, len(caps))
	for i, c := range caps {
		out[i] = CapabilityView{Kind: c.Kind, Hosts: c.Hosts, Methods: c.Methods, Collections: c.Collections, NSIDs: c.NSIDs,
			Description: describeCapability(c, l, granted)}
	}
	return out
}

// describeCapability says what a capability allows, in plain words.
func describeCapability(c plugin.Capability, l plugin.Limits, granted bool) string {
	switch c.Kind {
	case plugin.CapHTTPFetch:
		methods := "any method"
		if len(c.Methods) > 0 {
			methods = strings.Join(c.Methods, ", ")
		}
		hosts := wordList(c.Hosts)
		if slices.Contains(c.Hosts, plugin.AnyHost) {
			anyHost := "hosts you choose"
			if granted {
				anyHost = "any host"
			}
			hosts = anyHost
			if len(c.Hosts) > 1 {
				hosts = wordList(slices.DeleteFunc(slices.Clone(c.Hosts), func(h string) bool { return h == plugin.AnyHost })) + " or " + anyHost
			}
		}
		return fmt.Sprintf("Send HTTP requests to %s (%s)", hosts, methods)
	case plugin.CapRecordRead:
		return "Read public records in " + wordList(c.Collections)
	case plugin.CapKVRead:
		return "Read the data it stored itself"
	case plugin.CapKVWrite:
		return "Store up to " + kibWords(l.KVQuotaKiB) + " of its own data"
	case plugin.CapBlobRead:
		return "Read uploaded files (images, videos and other blobs)"
	case plugin.CapXRPCRegister:
		return "Answer requests to its own XRPC methods " + wordList(c.NSIDs)
	case plugin.CapFirehose:
		return "Follow every change to the repositories hosted here (the firehose)"
	case plugin.CapRepoExport:
		return "Export whole repositories (every public record)"
	case plugin.CapPrivacyHooks:
		return "Be asked before a private collection is shared, and told when its key changes (who and which collection; never keys or contents)"
	}
	return "Use " + c.Kind
}

// wordList joins names as "a", "a and b", "a, b and c".
func wordList(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func kibWords(kib int) string {
	if kib >= 1024 && kib%1024 == 0 {
		return fmt.Sprintf("%d MiB", kib/1024)
	}
	return fmt.Sprintf("%d KiB", kib)
}

// hookWords says when each hook runs.
var hookWords = map[string]string{
	"record.before_create":            "Checks (and may change or refuse) new records before they are written",
	"record.before_update":            "Checks (and may change or refuse) edited records before they are written",
	"record.before_delete":            "Checks (and may refuse) deletions before they happen",
	"record.after_create":             "Is told about new records once they are written",
	"record.after_update":             "Is told about edited records once they are written",
	"record.after_delete":             "Is told about deleted records",
	"blob.before_upload":              "Checks (and may refuse) uploads before they are stored",
	"blob.validate":                   "Checks uploaded files' contents before they are stored",
	"blob.after_upload":               "Is told about uploads once they are stored",
	"xrpc.before":                     "Checks (and may refuse) API requests before they are answered",
	"xrpc.after":                      "Is told about API requests once they are answered",
	"xrpc.handle":                     "Answers its own API methods",
	"firehose.on_commit":              "Is told about every commit on the firehose",
	"privacy.on_access_grant_request": "Is told when someone asks for access to private records",
	"privacy.on_key_rotation":         "Is told when private records' keys are rotated",
}

func hookViews(hooks map[string]plugin.HookSpec) []HookView {
	out := make([]HookView, 0, len(hooks))
	for name, h := range hooks {
		out = append(out, HookView{Name: name, Description: cmp.Or(hookWords[name], name),
			Collections: h.Collections, NSIDs: h.NSIDs, Priority: h.Priority})
	}
	slices.SortFunc(out, func(x, y HookView) int { return strings.Compare(x.Name, y.Name) })
	return out
}

func configViews(schema map[string]plugin.ConfigField, values map[string]any) []ConfigFieldView {
	out := make([]ConfigFieldView, 0, len(schema))
	for k, f := range schema {
		v, set := values[k]
		if !set {
			v = f.Default
		}
		out = append(out, ConfigFieldView{Key: k, Type: f.Type, Default: f.Default, Value: v, Set: set})
	}
	slices.SortFunc(out, func(x, y ConfigFieldView) int { return strings.Compare(x.Key, y.Key) })
	return out
}
