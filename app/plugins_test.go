package app

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/internal/plugintest"
)

// withCapabilities is the content filter's manifest declaring more than it
// uses (declaring is allowed; importing undeclared is not), so the review
// has something to narrow.
const withCapabilities = `capabilities = [
  { kind = "http:fetch", hosts = ["hooks.example.com", "*.example.org"], methods = ["POST"] },
  { kind = "record:read", collections = ["app.bsky.*"] },
  { kind = "kv:read" },
  { kind = "kv:write" },
]

[hooks]`

// contentFilterBundles builds plugins/examples/contentfilter into a real
// wasm module and returns two plugin folders: its own manifest, and the
// same module declaring capabilities.
func contentFilterBundles(t *testing.T) (plain, declaring string) {
	t.Helper()
	src := plugintest.Path("plugins", "examples", "contentfilter")
	wasm := plugintest.BuildGo(t, src, "")
	plain = plugintest.BundleDir(t, src, wasm)
	manifest, err := os.ReadFile(filepath.Join(src, "plugin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	declaring = plugintest.Bundle(t, wasm, strings.Replace(string(manifest), "[hooks]", withCapabilities, 1))
	return plain, declaring
}

// TestPluginBindings: the Plugins page's bindings over the running
// server's real plugin host, with the content filter compiled from source:
// install from a folder, review, enable with a narrowed grant, configure
// (a bad value names its field), a refused post naming the plugin,
// disable, reload (from where it came, from another folder, from the
// installed copy), uninstall with and without wiping its data.
func TestPluginBindings(t *testing.T) {
	plain, declaring := contentFilterBundles(t)
	env, _ := localFirst(t)
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	if _, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if ps, err := a.Plugins(); err != nil || ps == nil || len(ps) != 0 {
		t.Fatalf("plugins before any install: %#v, %v", ps, err)
	}

	id := checkInstall(t, a, declaring)
	checkEnableNarrowed(t, a, id)
	checkConfigureAndFilter(t, a, id)
	checkDisableReload(t, a, id, declaring, plain)
	checkUninstall(t, a, id)
	checkUnknownAndStopped(t, a)
}

func checkInstall(t *testing.T, a *App, bundle string) string {
	t.Helper()
	_, err := a.InstallPlugin("relative/folder")
	wantErrName(t, "relative path", err, "InvalidRequest")
	_, err = a.InstallPlugin(filepath.Join(t.TempDir(), "nothing-here"))
	wantErrName(t, "missing folder", err, "InvalidRequest")
	broken := plugintest.Bundle(t, []byte("\x00asm\x01\x00\x00\x00"), "id = \"dev.test.broken\"\nname = \"Broken\"\nversion = \"1.0.0\"\napi = 1\n")
	_, err = a.InstallPlugin(broken)
	wantErrName(t, "a module without pds_alloc", err, "InvalidPlugin")
	if err := os.WriteFile(filepath.Join(broken, "plugin.toml"), []byte("id = \"Not An Id\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = a.InstallPlugin(broken)
	if wantErrName(t, "bad manifest", err, "InvalidManifest"); !strings.Contains(err.Error(), "id:") {
		t.Fatalf("bad manifest: %v; want the field named", err)
	}

	v, err := a.InstallPlugin(" " + bundle + " ")
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "dev.hearthpds.example.contentfilter" || v.Name != "Content filter" || v.State != "disabled" || !v.Unverified ||
		v.Source != bundle || len(v.Granted) != 0 || v.Calls != 0 || len(v.SHA256) != 64 {
		t.Fatalf("installed view = %+v", v)
	}
	want := []string{
		"Send HTTP requests to hooks.example.com and *.example.org (POST)",
		"Read public records in app.bsky.*",
		"Read the data it stored itself",
		"Store up to 1 MiB of its own data",
	}
	if got := descriptions(v.Capabilities); !reflect.DeepEqual(got, want) {
		t.Fatalf("capabilities in words = %q, want %q", got, want)
	}
	if len(v.Hooks) != 1 || v.Hooks[0].Name != "record.before_create" || !strings.Contains(v.Hooks[0].Description, "new records") ||
		!reflect.DeepEqual(v.Hooks[0].Collections, []string{"app.bsky.feed.post"}) || v.Hooks[0].Priority != 100 {
		t.Fatalf("hooks = %+v", v.Hooks)
	}
	if v.Limits.MemoryMiB != 64 || v.Limits.BeforeTimeoutMS != 250 || v.Limits.OnError != "allow" || v.Limits.KVQuotaKiB != 1024 {
		t.Fatalf("limits = %+v", v.Limits)
	}
	if len(v.Config) != 1 || v.Config[0].Key != "banned" || v.Config[0].Type != "string[]" || v.Config[0].Set {
		t.Fatalf("config = %+v", v.Config)
	}
	_, err = a.InstallPlugin(bundle)
	wantErrName(t, "installed twice", err, "PluginExists")
	return v.ID
}

func descriptions(cs []CapabilityView) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Description)
	}
	return out
}

func checkEnableNarrowed(t *testing.T, a *App, id string) {
	t.Helper()
	_, err := a.EnablePlugin(id, []CapabilityView{{Hosts: []string{"x"}}})
	wantErrName(t, "a grant without kind", err, "InvalidRequest")
	// The review ticked one host of two, one collection under app.bsky.*,
	// kv:read, and left kv:write out; a host the manifest does not cover
	// is dropped.
	v, err := a.EnablePlugin(id, []CapabilityView{
		{Kind: "http:fetch", Hosts: []string{"hooks.example.com", "evil.example.net"}},
		{Kind: "record:read", Collections: []string{"app.bsky.feed.post"}},
		{Kind: "kv:read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.State != "enabled" {
		t.Fatalf("state after enable = %q", v.State)
	}
	want := []string{
		"Send HTTP requests to hooks.example.com (POST)",
		"Read public records in app.bsky.feed.post",
		"Read the data it stored itself",
	}
	if got := descriptions(v.Granted); !reflect.DeepEqual(got, want) {
		t.Fatalf("granted = %q, want %q", got, want)
	}
	if len(v.Capabilities) != 4 {
		t.Fatalf("the declared capabilities changed: %+v", v.Capabilities)
	}
	if got, err := a.Plugin(id); err != nil || !reflect.DeepEqual(descriptions(got.Granted), want) {
		t.Fatalf("Plugin(id) = %+v, %v", got, err)
	}
}

func checkConfigureAndFilter(t *testing.T, a *App, id string) {
	t.Helper()
	post := func(text string) error {
		_, err := a.CreateRecord("app.bsky.feed.post", "", `{"text":"`+text+`","createdAt":"2025-01-01T00:00:00Z"}`)
		return err
	}
	if err := post("nothing banned yet: spam"); err != nil {
		t.Fatalf("a post before configuring: %v", err)
	}
	_, err := a.ConfigurePlugin(id, map[string]any{"banned": "spam"})
	if wantErrName(t, "a string for string[]", err, "InvalidConfig"); !strings.Contains(err.Error(), "field banned: ") {
		t.Fatalf("bad value: %v; want the field named", err)
	}
	t.Logf("a bad value: %v", err)
	_, err = a.ConfigurePlugin(id, map[string]any{"colour": "red"})
	if wantErrName(t, "an unknown key", err, "InvalidConfig"); !strings.Contains(err.Error(), "field colour: ") {
		t.Fatalf("unknown key: %v; want the field named", err)
	}
	_, err = a.ConfigurePlugin(id, map[string]any{})
	wantErrName(t, "nothing to set", err, "InvalidRequest")

	// Values arrive as JSON decodes them (the bridge, the window).
	v, err := a.ConfigurePlugin(id, map[string]any{"banned": []any{"Spam", "eggs"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := v.Config[0]; !c.Set || !reflect.DeepEqual(c.Value, []any{"Spam", "eggs"}) {
		t.Fatalf("config after configure = %+v", v.Config)
	}
	err = post("more spam please")
	if err == nil || !strings.Contains(err.Error(), "plugin "+id) {
		t.Fatalf("a banned post: %v; want it refused naming the plugin", err)
	}
	t.Logf("a banned post: %v", err)
	if err := post("ham only"); err != nil {
		t.Fatalf("an allowed post: %v", err)
	}
	v, err = a.Plugin(id)
	if err != nil {
		t.Fatal(err)
	}
	// Three posts went through the hook (the first one before configuring).
	if v.Calls != 3 || v.Errors != 0 || v.P50Micros <= 0 || v.P99Micros < v.P50Micros || len(v.RecentErrors) != 0 {
		t.Fatalf("accounts = calls %d errors %d p50 %v p99 %v recent %v", v.Calls, v.Errors, v.P50Micros, v.P99Micros, v.RecentErrors)
	}
}

func checkDisableReload(t *testing.T, a *App, id, declaring, plain string) {
	t.Helper()
	v, err := a.DisablePlugin(id)
	if err != nil || v.State != "disabled" || len(v.Granted) != 3 {
		t.Fatalf("disable = %+v, %v; want disabled, the grant kept", v, err)
	}
	if _, err := a.CreateRecord("app.bsky.feed.post", "", `{"text":"spam, now that it is off","createdAt":"2025-01-01T00:00:00Z"}`); err != nil {
		t.Fatalf("a banned word with the plugin disabled: %v", err)
	}
	if _, err := a.EnablePlugin(id, []CapabilityView{{Kind: "kv:read"}, {Kind: "kv:write"}}); err != nil {
		t.Fatal(err)
	}
	// From where it came: the same folder, read again.
	v, err = a.ReloadPlugin(id, "")
	if err != nil || v.State != "enabled" || v.Source != declaring || len(v.Capabilities) != 4 {
		t.Fatalf("reload from its source = %+v, %v", v, err)
	}
	// From another folder: the new manifest declares nothing, so the grant
	// narrows to nothing; the plugin stays enabled.
	v, err = a.ReloadPlugin(id, plain)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != "enabled" || v.Source != plain || len(v.Capabilities) != 0 || len(v.Granted) != 0 {
		t.Fatalf("reload from another folder = %+v", v)
	}
	// The source is gone: the installed copy restarts.
	if err := os.RemoveAll(plain); err != nil {
		t.Fatal(err)
	}
	v, err = a.ReloadPlugin(id, "")
	if err != nil || v.Source != "" || v.State != "enabled" {
		t.Fatalf("reload with the source gone = %+v, %v", v, err)
	}
	_, err = a.ReloadPlugin(id, "not/absolute")
	wantErrName(t, "reload from a relative path", err, "InvalidRequest")
}

func checkUninstall(t *testing.T, a *App, id string) {
	t.Helper()
	dir := filepath.Join(a.opts.DataDir, "plugins", id)
	if err := a.UninstallPlugin(id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Fatalf("uninstall without wipe removed the plugin's data: %v", err)
	}
	if ps, _ := a.Plugins(); len(ps) != 0 {
		t.Fatalf("after uninstall: %+v", ps)
	}
	_, declaring := contentFilterBundles(t)
	if _, err := a.InstallPlugin(declaring); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	if v, err := a.EnablePlugin(id, []CapabilityView{{Kind: "kv:write"}}); err != nil || len(v.Granted) != 1 {
		t.Fatalf("enable after the reinstall = %+v, %v", v, err)
	}
	if err := a.UninstallPlugin(id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("uninstall with wipe left %s: %v", dir, err)
	}
}

func checkUnknownAndStopped(t *testing.T, a *App) {
	t.Helper()
	_, err := a.Plugin("dev.test.nothing")
	wantErrName(t, "unknown plugin", err, "PluginNotFound")
	_, err = a.DisablePlugin("dev.test.nothing")
	wantErrName(t, "disable an unknown plugin", err, "PluginNotFound")
	err = a.UninstallPlugin("dev.test.nothing", true)
	wantErrName(t, "uninstall an unknown plugin", err, "PluginNotFound")
	_, err = a.ChoosePluginFolder()
	if wantErrName(t, "no window", err, "InvalidRequest"); !strings.Contains(err.Error(), "path") {
		t.Fatalf("without a window: %v; want it to ask for the path", err)
	}
	if err := a.StopServer(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Plugins(); err == nil || !strings.Contains(err.Error(), "server is stopped") {
		t.Fatalf("plugins with the server stopped: %v", err)
	}
}

// TestDescribeAnyHost: a manifest's "*" host reads as hosts the user will
// choose; granted, it reads as any host.
func TestDescribeAnyHost(t *testing.T) {
	c := plugin.Capability{Kind: plugin.CapHTTPFetch, Hosts: []string{"hooks.example.com", plugin.AnyHost}, Methods: []string{"POST"}}
	l := plugin.Limits{KVQuotaKiB: 1024}
	if got, want := describeCapability(c, l, false), "Send HTTP requests to hooks.example.com or hosts you choose (POST)"; got != want {
		t.Errorf("declared: %q, want %q", got, want)
	}
	if got, want := describeCapability(c, l, true), "Send HTTP requests to hooks.example.com or any host (POST)"; got != want {
		t.Errorf("granted: %q, want %q", got, want)
	}
}
