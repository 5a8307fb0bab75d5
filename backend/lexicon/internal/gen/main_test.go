package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeModule lays out a module directory with the given lexicon files
// (path relative to lexicons/ → contents) and licence files.
func fakeModule(t *testing.T, lexicons map[string]string) module {
	t.Helper()
	dir := t.TempDir()
	for rel, text := range lexicons {
		p := filepath.Join(dir, "lexicons", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range licenceFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	return module{Path: "example.com/indigo", Version: "v1.2.3", Dir: dir}
}

func TestBuildAndSwap(t *testing.T) {
	mod := fakeModule(t, map[string]string{
		"com/example/thing.json":     `{"lexicon": 1, "id": "com.example.thing", "defs": {}}`,
		"com/example/sub/other.json": `{"lexicon": 1, "id": "com.example.sub.other", "defs": {}}`,
		"com/example/README.md":      "not copied",
	})
	out := filepath.Join(t.TempDir(), "lexicons")
	if err := os.MkdirAll(filepath.Join(out, "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := build(mod, out+".tmp")
	if err != nil || n != 2 {
		t.Fatalf("build = %d, %v; want 2 files", n, err)
	}
	if err := swap(out+".tmp", out); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"com/example/thing.json", "com/example/sub/other.json", "LICENSE-MIT", "SOURCE"} {
		if _, err := os.Stat(filepath.Join(out, rel)); err != nil {
			t.Errorf("%s missing: %v", rel, err)
		}
	}
	for _, rel := range []string{"stale", "com/example/README.md"} {
		if _, err := os.Stat(filepath.Join(out, rel)); err == nil {
			t.Errorf("%s should not be in the copy", rel)
		}
	}
	src, _ := os.ReadFile(filepath.Join(out, "SOURCE"))
	for _, want := range []string{"module example.com/indigo\n", "version v1.2.3\n", "files 2\n"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("SOURCE lacks %q:\n%s", want, src)
		}
	}
}

func TestBuildRejectsMisplacedSchema(t *testing.T) {
	mod := fakeModule(t, map[string]string{
		"com/example/thing.json": `{"lexicon": 1, "id": "com.example.other", "defs": {}}`,
	})
	_, err := build(mod, filepath.Join(t.TempDir(), "out"))
	if err == nil || !strings.Contains(err.Error(), `id "com.example.other" does not match its path`) {
		t.Errorf("build = %v, want an id/path mismatch error", err)
	}
}

func TestBuildRejectsEmptyModule(t *testing.T) {
	mod := fakeModule(t, nil)
	if _, err := build(mod, filepath.Join(t.TempDir(), "out")); err == nil {
		t.Error("build of a module without lexicons succeeded")
	}
}
