package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/pflag"
)

// loader holds the three sources of raw values for one Load.
type loader struct {
	flags    *pflag.FlagSet
	env      map[string]string // the whole environment
	file     map[string]string // config file key → raw value
	filePath string
}

// newLoader reads the environment and the config file. It returns warnings
// about unknown HEARTH_* variables even when it fails.
func newLoader(fs *pflag.FlagSet, environ []string) (*loader, []string, error) {
	env := parseEnviron(environ)
	warnings := unknownEnv(env)
	l := &loader{flags: fs, env: env}
	l.filePath = l.flagValue(flagConfig)
	if l.filePath == "" {
		l.filePath = env[envConfig]
	}
	if l.filePath == "" {
		return l, warnings, nil
	}
	file, err := readFile(l.filePath)
	if err != nil {
		return nil, warnings, err
	}
	l.file = file
	return l, warnings, nil
}

// load applies every setting in order, collecting one error per bad value.
func (l *loader) load() (*Config, error) {
	c := &Config{File: l.filePath}
	var errs []error
	for _, s := range settings {
		raw, name := l.lookup(s)
		if err := s.apply(c, raw, l.env); err != nil {
			errs = append(errs, &SettingError{Setting: s.env(), Source: name, Err: err})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// lookup returns s's raw value from the highest-precedence source that sets
// it (flag, environment, file), and how that source names the setting. An
// unset setting yields "" and its environment variable's name.
func (l *loader) lookup(s setting) (raw, name string) {
	if v := l.flagValue(s.flag()); v != "" {
		return v, "--" + s.flag()
	}
	if v := l.env[s.env()]; v != "" {
		return v, s.env()
	}
	if v := l.file[s.key]; v != "" {
		return v, fmt.Sprintf("%s (in %s)", s.key, l.filePath)
	}
	return "", s.env()
}

// flagValue returns the value of the named flag if it was set on the
// command line, else "".
func (l *loader) flagValue(name string) string {
	if l.flags == nil {
		return ""
	}
	f := l.flags.Lookup(name)
	if f == nil || !f.Changed {
		return ""
	}
	return f.Value.String()
}

// parseEnviron turns "KEY=value" strings into a map; later entries win.
func parseEnviron(environ []string) map[string]string {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// unknownEnv warns about HEARTH_* variables that name no setting, except
// HEARTH_CONFIG and the HEARTH_TEST_* variables the test suites use.
func unknownEnv(env map[string]string) []string {
	var warnings []string
	for k := range env {
		if !strings.HasPrefix(k, envPrefix) || k == envConfig || strings.HasPrefix(k, "HEARTH_TEST_") {
			continue
		}
		if isSettingEnv(k) {
			continue
		}
		w := fmt.Sprintf("unknown environment variable %s is ignored", k)
		if s, ok := nearestSetting(k); ok {
			w += fmt.Sprintf(" (did you mean %s?)", s.env())
		}
		warnings = append(warnings, w)
	}
	slices.Sort(warnings)
	return warnings
}

// isSettingEnv reports whether name is exactly some setting's variable
// (environment names are case-sensitive).
func isSettingEnv(name string) bool {
	for _, s := range settings {
		if s.env() == name {
			return true
		}
	}
	return false
}

// nearestSetting finds a setting whose variable differs from name only in
// case or underscores, e.g. HEARTH_PUBLICURL for HEARTH_PUBLIC_URL.
func nearestSetting(name string) (setting, bool) {
	squash := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "_", "")) }
	for _, s := range settings {
		if squash(s.env()) == squash(name) {
			return s, true
		}
	}
	return setting{}, false
}

// readFile reads a TOML config file into raw values keyed by setting key. An
// unknown key or a value of an unusable type is an error.
func readFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	var doc map[string]any
	if err := toml.Unmarshal(b, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("config file %s:%d:%d: %w", path, row, col, err)
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	out := make(map[string]string, len(doc))
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		s, ok := lookupSetting(k)
		if !ok {
			errs = append(errs, fmt.Errorf("config file %s: unknown key %q", path, k))
			continue
		}
		v, err := fileValue(s, doc[k])
		if err != nil {
			errs = append(errs, fmt.Errorf("config file %s: %s: %w", path, k, err))
			continue
		}
		out[k] = v
	}
	return out, errors.Join(errs...)
}

// fileValue turns a decoded TOML value into the raw string the setting's
// parser takes: strings as they are, booleans and integers formatted, arrays
// of strings (for list settings) joined with commas.
func fileValue(s setting, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case []any:
		if s.list {
			return joinStrings(v)
		}
	}
	return "", fmt.Errorf("unsupported value of type %s", tomlType(v))
}

// joinStrings joins a TOML array of strings with commas.
func joinStrings(items []any) (string, error) {
	parts := make([]string, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok || strings.Contains(s, ",") {
			return "", fmt.Errorf("array items must be strings without commas")
		}
		parts[i] = s
	}
	return strings.Join(parts, ","), nil
}

// tomlType names the TOML type of a decoded value for error messages.
func tomlType(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case map[string]any:
		return "table"
	case float64:
		return "float"
	default:
		return "date/time"
	}
}
