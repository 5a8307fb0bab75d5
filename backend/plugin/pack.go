package plugin

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/pelletier/go-toml/v2"
)

var sha256Line = regexp.MustCompile(`(?m)^sha256\s*=.*$`)

// Pack prepares a plugin folder for installing: it sets plugin.toml's
// sha256 to the module's (adding the line if missing), validates the whole
// manifest and, when zipPath is not empty, writes a .zip of the bundle
// (plugin.toml, the wasm, lexicons/ and README.md).
func Pack(dir, zipPath string) (*Manifest, error) {
	tomlPath := filepath.Join(dir, "plugin.toml")
	data, err := os.ReadFile(tomlPath)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	var head struct {
		Wasm string `toml:"wasm"`
	}
	if err := toml.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("pack %s: plugin.toml: %w", dir, err)
	}
	if head.Wasm == "" {
		head.Wasm = "plugin.wasm" // the manifest's default
	}
	if !filepath.IsLocal(head.Wasm) {
		return nil, fieldErr("wasm", "%q is not a file inside the bundle", head.Wasm)
	}
	wasm, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(head.Wasm)))
	if err != nil {
		return nil, fmt.Errorf("pack %s: build the module first: %w", dir, err)
	}
	sum := sha256.Sum256(wasm)
	line := fmt.Sprintf("sha256 = %q", hex.EncodeToString(sum[:]))
	if sha256Line.Match(data) {
		data = sha256Line.ReplaceAllLiteral(data, []byte(line))
	} else {
		data = append([]byte(line+"\n"), data...)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(tomlPath, data, 0o644); err != nil {
		return nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	if zipPath != "" {
		if err := zipBundle(dir, zipPath, head.Wasm); err != nil {
			return nil, fmt.Errorf("pack %s: %w", dir, err)
		}
	}
	return m, nil
}

// zipBundle writes the bundle's files into a new .zip at zipPath.
func zipBundle(dir, zipPath, wasmName string) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string) error {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, name := range []string{"plugin.toml", wasmName} {
		if err := add(name); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err == nil {
		if err := add("README.md"); err != nil {
			return err
		}
	}
	lex := filepath.Join(dir, "lexicons")
	err := filepath.WalkDir(lex, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && p == lex {
			return nil
		}
		if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return add(filepath.ToSlash(rel))
	})
	if err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(zipPath, buf.Bytes(), 0o644)
}
