package server_test

import (
	"context"
	"testing"

	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/internal/plugintest"
)

// buildGuest compiles testdata/guests/<name> (a real WASM module, built
// with the Go SDK) and returns the wasm.
func buildGuest(t testing.TB, name string) []byte {
	return plugintest.BuildGo(t, plugintest.Path("backend", "server", "testdata", "guests", name), "")
}

// installGuest writes a plugin folder (manifest + compiled guest), installs
// it on the host and enables it with everything it declares.
func installGuest(t testing.TB, h *plugin.Host, name, manifest string) string {
	t.Helper()
	dir := guestBundle(t, name, manifest)
	ctx := context.Background()
	m, err := h.Install(ctx, dir)
	if err != nil {
		t.Fatalf("install %s: %v", name, err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		t.Fatalf("enable %s: %v", m.ID, err)
	}
	return dir
}

// guestBundle writes a plugin folder: the manifest (with the wasm's
// sha256) and the compiled guest.
func guestBundle(t testing.TB, name, manifest string) string {
	return plugintest.Bundle(t, buildGuest(t, name), "wasm = \"plugin.wasm\"\n"+manifest)
}
