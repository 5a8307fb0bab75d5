package plugin

import (
	"path/filepath"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
)

func repoRoot(testing.TB) string { return plugintest.Root() }

// buildGuest builds the Go guest in srcDir (a main package importing the
// SDK) with extra ldflags and returns the wasm.
func buildGuest(t testing.TB, srcDir, ldflags string) []byte {
	return plugintest.BuildGo(t, srcDir, ldflags)
}

// kitchenWasm is the test guest of testdata/guests/kitchen.
func kitchenWasm(t testing.TB) []byte {
	return buildGuest(t, filepath.Join(repoRoot(t), "backend", "plugin", "testdata", "guests", "kitchen"), "")
}

// writeBundle writes a plugin folder: plugin.toml built from tomlBody (the
// sha256 line is added) and plugin.wasm.
func writeBundle(t testing.TB, wasm []byte, tomlBody string) string {
	return plugintest.Bundle(t, wasm, tomlBody)
}
