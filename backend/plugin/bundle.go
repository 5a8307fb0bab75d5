package plugin

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxBundleFile caps one file of a bundle.
const maxBundleFile = 64 << 20

type bundle struct {
	manifest *Manifest
	toml     []byte
	wasm     []byte
	lexicons *Lexicons // lexicons/**/*.json, checked (lexicons.go); nil: none
}

// openBundle reads a plugin folder or .zip, validates the manifest and
// checks the wasm's SHA-256.
func openBundle(path string) (*bundle, error) {
	read, err := bundleReader(path)
	if err != nil {
		return nil, err
	}
	tomlData, err := read("plugin.toml")
	if err != nil {
		return nil, fmt.Errorf("plugin bundle %s: %w", path, err)
	}
	m, err := ParseManifest(tomlData)
	if err != nil {
		return nil, err
	}
	wasm, err := read(m.Wasm)
	if err != nil {
		return nil, fmt.Errorf("plugin bundle %s: wasm: %w", path, err)
	}
	sum := sha256.Sum256(wasm)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 {
		return nil, fieldErr("sha256", "%s does not match %s (sha256 %s)", m.SHA256, m.Wasm, got)
	}
	files, err := readLexiconFiles(path)
	if err != nil {
		return nil, err
	}
	lex, err := loadLexicons(files, m)
	if err != nil {
		return nil, err
	}
	return &bundle{manifest: m, toml: tomlData, wasm: wasm, lexicons: lex}, nil
}

// readBundle reads an installed bundle (checked again: files at rest may change).
func readBundle(dir string) (*bundle, error) { return openBundle(dir) }

func bundleReader(path string) (func(name string) ([]byte, error), error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("plugin bundle: %w", err)
	}
	if fi.IsDir() {
		return func(name string) ([]byte, error) {
			f, err := os.Open(filepath.Join(path, filepath.FromSlash(name)))
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return readCapped(f)
		}, nil
	}
	if !strings.HasSuffix(path, ".zip") {
		return nil, fmt.Errorf("plugin bundle %s: neither a folder nor a .zip", path)
	}
	// Read what a bundle needs (plugin.toml and .wasm files) and close the
	// archive at once.
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("plugin bundle %s: %w", path, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.Name != "plugin.toml" && !strings.HasSuffix(f.Name, ".wasm") {
			continue
		}
		if len(files) >= 8 {
			return nil, fmt.Errorf("plugin bundle %s: too many .wasm files", path)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("plugin bundle %s: %s: %w", path, f.Name, err)
		}
		b, err := readCapped(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("plugin bundle %s: %s: %w", path, f.Name, err)
		}
		files[f.Name] = b
	}
	return func(name string) ([]byte, error) {
		b, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%s: not in the archive", name)
		}
		return b, nil
	}, nil
}

func readCapped(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBundleFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBundleFile {
		return nil, fmt.Errorf("file larger than %d bytes", maxBundleFile)
	}
	return b, nil
}

// writeTo stores the bundle in dir, replacing it atomically (a rename).
func (b *bundle) writeTo(dir string) error {
	tmp := dir + ".new"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, filepath.Dir(b.manifest.Wasm)), 0o700); err != nil {
		return fmt.Errorf("plugin %s: %w", b.manifest.ID, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "plugin.toml"), b.toml, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, filepath.FromSlash(b.manifest.Wasm)), b.wasm, 0o600); err != nil {
		return err
	}
	if err := b.lexicons.writeTo(tmp); err != nil {
		return fmt.Errorf("plugin %s: %w", b.manifest.ID, err)
	}
	old := dir + ".old"
	_ = os.RemoveAll(old)
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// save writes state.json atomically.
func (p *Plugin) save() error {
	p.mu.Lock()
	data, err := json.MarshalIndent(p.saved, "", "  ")
	p.mu.Unlock()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(p.dir, "state.json.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("plugin %s: save state: %w", p.id, err)
	}
	return os.Rename(tmp, filepath.Join(p.dir, "state.json"))
}

func (p *Plugin) load() error {
	data, err := os.ReadFile(filepath.Join(p.dir, "state.json"))
	if os.IsNotExist(err) {
		p.saved = savedState{State: StateDisabled, Unverified: true}
		return nil
	}
	if err != nil {
		return fmt.Errorf("plugin %s: load state: %w", p.id, err)
	}
	if err := json.Unmarshal(data, &p.saved); err != nil {
		return fmt.Errorf("plugin %s: state.json: %w", p.id, err)
	}
	return nil
}
