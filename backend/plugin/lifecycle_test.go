package plugin

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestReloadIsAtomic(t *testing.T) {
	dir := t.TempDir()
	h := newHost(t, Options{Dir: dir})
	toml := strings.Replace(kitchenToml, "before_timeout_ms = 200", "before_timeout_ms = 5000", 1)
	installKitchen(t, h, toml, nil)
	v2 := buildGuest(t, filepath.Join(repoRoot(t), "backend", "plugin", "testdata", "guests", "kitchen"), "-X main.version=2")
	bundle2 := writeBundle(t, v2, strings.Replace(toml, `version = "1.0.0"`, `version = "2.0.0"`, 1))

	// A call in flight on version 1 (it sleeps) while the reload swaps in
	// version 2: it finishes on version 1; calls after the swap see 2.
	var wg sync.WaitGroup
	var inflight Decision
	wg.Add(1)
	go func() {
		defer wg.Done()
		inflight = ask(t, h, "test.slow", nil)
	}()
	// Wait until the guest is inside the call (it writes a file in /data).
	for {
		if _, err := os.Stat(filepath.Join(dir, "dev.test.kitchen", "data", "slow-started")); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// The slow call holds version 1; the reload does not wait for it.
	if err := h.Reload(context.Background(), "dev.test.kitchen", bundle2); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.version", nil), "v2")
	wg.Wait()
	wantReject(t, inflight, "v1") // finished on the old version
	info, _ := h.Inspect("dev.test.kitchen")
	if info.Manifest.Version != "2.0.0" || info.State != StateEnabled {
		t.Fatalf("info = %+v", info)
	}
	// A reload with another id is refused and changes nothing.
	bad := writeBundle(t, v2, strings.Replace(toml, `id = "dev.test.kitchen"`, `id = "dev.test.other"`, 1))
	if err := h.Reload(context.Background(), "dev.test.kitchen", bad); !errors.Is(err, ErrManifest) {
		t.Fatalf("Reload(other id) = %v", err)
	}
	wantReject(t, ask(t, h, "test.version", nil), "v2")
}

func TestInstallZipAndChecks(t *testing.T) {
	h := newHost(t, Options{})
	dir := writeBundle(t, kitchenWasm(t), kitchenToml)
	zpath := filepath.Join(t.TempDir(), "kitchen.zip")
	f, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range []string{"plugin.toml", "plugin.wasm"} {
		w, _ := zw.Create(name)
		b, _ := os.ReadFile(filepath.Join(dir, name))
		w.Write(b)
	}
	zw.Close()
	f.Close()
	m, err := h.Install(context.Background(), zpath)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := h.Inspect(m.ID)
	if info.State != StateDisabled || !info.Unverified {
		t.Fatalf("installed plugin = %+v; want disabled, unverified", info)
	}
	if _, err := h.Install(context.Background(), zpath); !errors.Is(err, ErrExists) {
		t.Fatalf("second Install = %v", err)
	}
	// A disabled plugin is not called.
	if d := ask(t, h, "test.reject", nil); d.Verdict != Continue {
		t.Fatalf("disabled plugin decided %+v", d)
	}

	// A wasm that does not match its sha256 is refused, naming the field.
	tampered := writeBundle(t, kitchenWasm(t), strings.Replace(kitchenToml, "dev.test.kitchen", "dev.test.tampered", 1))
	os.WriteFile(filepath.Join(tampered, "plugin.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o600)
	_, err = h.Install(context.Background(), tampered)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "sha256" {
		t.Fatalf("Install(tampered) = %v", err)
	}
}

func TestDisableEnable(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	ctx := context.Background()
	if err := h.Disable(ctx, "dev.test.kitchen"); err != nil {
		t.Fatal(err)
	}
	if d := ask(t, h, "test.reject", nil); d.Verdict != Continue {
		t.Fatalf("disabled plugin decided %+v", d)
	}
	if err := h.Enable(ctx, "dev.test.kitchen", nil); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.reject", nil), "no ")
	if err := h.Enable(ctx, "dev.test.nope", nil); !errors.Is(err, ErrUnknownPlugin) {
		t.Fatalf("Enable(unknown) = %v", err)
	}
}

// TestReloadFromSource: a reload without a path reads the folder the plugin
// was installed from again (a developer rebuilt it in place); once that
// folder is gone, it restarts the installed copy and forgets the source.
func TestReloadFromSource(t *testing.T) {
	h := newHost(t, Options{})
	ctx := context.Background()
	src := writeBundle(t, kitchenWasm(t), kitchenToml)
	m, err := h.Install(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		t.Fatal(err)
	}
	if info, _ := h.Inspect(m.ID); info.Source != src {
		t.Fatalf("source = %q, want %q", info.Source, src)
	}
	wantReject(t, ask(t, h, "test.version", nil), "v1")

	// Rebuilt in place: version 2 in the same folder.
	v2 := buildGuest(t, filepath.Join(repoRoot(t), "backend", "plugin", "testdata", "guests", "kitchen"), "-X main.version=2")
	rebuilt := writeBundle(t, v2, kitchenToml)
	for _, name := range []string{"plugin.toml", "plugin.wasm"} {
		b, err := os.ReadFile(filepath.Join(rebuilt, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Reload(ctx, m.ID, ""); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.version", nil), "v2")

	// The folder is gone: the installed copy (now version 2) restarts.
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	if err := h.Reload(ctx, m.ID, ""); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.version", nil), "v2")
	if info, _ := h.Inspect(m.ID); info.Source != "" {
		t.Fatalf("source after it was removed = %q, want none", info.Source)
	}
}
