package plugin

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearthpds/hearth/backend/keys"
)

// TestSecretConfig: a "secret" config value reaches the plugin through
// config_get, is sealed in state.json (never in clear), is reported only
// as set, survives a new host with the same master key, and cannot be set
// on a host without one.
func TestSecretConfig(t *testing.T) {
	master := make([]byte, keys.MasterKeySize)
	_, _ = rand.Read(master)
	sealer, err := keys.NewSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	h := newHost(t, Options{Dir: dir, Secrets: sealer})
	installKitchen(t, h, kitchenToml, nil)
	ctx := context.Background()
	const secret = "s3cr3t-access-key-value"
	if err := h.Configure(ctx, "dev.test.kitchen", map[string]any{"token": secret}); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.config", map[string]any{"key": "token"}), "config: "+secret)
	info, err := h.Inspect("dev.test.kitchen")
	if err != nil || info.Config["token"] != SecretSet {
		t.Fatalf("inspect config = %v, %v; want token reported as %q", info.Config, err, SecretSet)
	}
	state, err := os.ReadFile(filepath.Join(dir, "dev.test.kitchen", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(state, []byte(secret)) {
		t.Fatal("state.json holds the secret in clear")
	}
	h.Close(ctx)

	// A new host over the same directory and master key still has it.
	h2 := newHost(t, Options{Dir: dir, Secrets: sealer})
	wantReject(t, ask(t, h2, "test.config", map[string]any{"key": "token"}), "config: "+secret)
	// An empty value removes it.
	if err := h2.Configure(ctx, "dev.test.kitchen", map[string]any{"token": ""}); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h2, "test.config", map[string]any{"key": "token"}), "not found")
	h2.Close(ctx)

	// Without a master key a secret cannot be set.
	h3 := newHost(t, Options{})
	installKitchen(t, h3, kitchenToml, nil)
	if err := h3.Configure(ctx, "dev.test.kitchen", map[string]any{"token": secret}); !errors.Is(err, ErrConfig) {
		t.Fatalf("Configure(secret) without Secrets = %v, want ErrConfig", err)
	}
	// A manifest may not give a secret a default.
	if _, err := ParseManifest([]byte(`id = "dev.test.x"
name = "X"
version = "1.0.0"
api = 1
wasm = "p.wasm"
sha256 = "` + string(bytes.Repeat([]byte("0"), 64)) + `"
[config]
token = { type = "secret", default = "x" }
`)); err == nil {
		t.Fatal("a secret with a default was accepted")
	}
}
