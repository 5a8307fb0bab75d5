package plugin

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedCache is the compilation cache every test host shares, as the
// plugins of one server do.
var sharedCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hearth-plugin-cache-")
	if err != nil {
		panic(err)
	}
	sharedCache = filepath.Join(dir, "cache")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
