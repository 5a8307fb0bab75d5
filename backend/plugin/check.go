package plugin

import (
	"fmt"
	"slices"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// ErrCapability marks a module that uses what its manifest does not declare.
var ErrCapability = fmt.Errorf("capability not declared")

// importSigs are the host imports' signatures: params, results.
var importSigs = map[string][2][]api.ValueType{
	"log":                 {{i32, i32, i32}, nil},
	"result":              {{i32}, nil},
	"config_get":          {{i32, i32}, {i64}},
	"kv_get":              {{i32, i32}, {i64}},
	"kv_put":              {{i32, i32, i32, i32}, {i64}},
	"kv_delete":           {{i32, i32}, {i64}},
	"kv_list":             {{i32, i32}, {i64}},
	"http_fetch":          {{i32, i32}, {i64}},
	"record_get":          {{i32, i32}, {i64}},
	"record_list":         {{i32, i32}, {i64}},
	"blob_read":           {{i32, i32}, {i64}},
	"repo_export":         {{i32, i32}, {i64}},
	"firehose_cursor_get": {nil, {i64}},
	"firehose_cursor_set": {{i64}, {i64}},
}

// checkModule compares a compiled module with its manifest: every pds
// import must be known and its capability declared, no other import module
// but WASI, every declared hook exported, and pds_alloc exported.
func checkModule(m *Manifest, c wazero.CompiledModule) error {
	for _, f := range c.ImportedFunctions() {
		mod, name, _ := f.Import()
		switch mod {
		case "wasi_snapshot_preview1":
			continue
		case "pds":
		default:
			return fmt.Errorf("plugin %s: %w: imports %s.%s, an unknown module", m.ID, ErrCapability, mod, name)
		}
		need, ok := importCaps[name]
		if !ok {
			return fmt.Errorf("plugin %s: %w: imports pds.%s, which the host does not provide", m.ID, ErrCapability, name)
		}
		if need != "" {
			if _, ok := m.Capability(need); !ok {
				return fmt.Errorf("plugin %s: %w: imports pds.%s, which needs %q in capabilities", m.ID, ErrCapability, name, need)
			}
		}
		if want := importSigs[name]; !slices.Equal(f.ParamTypes(), want[0]) || !slices.Equal(f.ResultTypes(), want[1]) {
			return fmt.Errorf("plugin %s: imports pds.%s with the wrong signature (%v) -> (%v); the contract has (%v) -> (%v)",
				m.ID, name, f.ParamTypes(), f.ResultTypes(), want[0], want[1])
		}
	}
	exports := c.ExportedFunctions()
	if _, ok := exports["pds_alloc"]; !ok {
		return fmt.Errorf("plugin %s: module does not export pds_alloc", m.ID)
	}
	for hook := range m.Hooks {
		if _, ok := exports[hook]; !ok {
			return fmt.Errorf("plugin %s: hooks.%s is declared but the module does not export %q", m.ID, hook, hook)
		}
	}
	return nil
}
