package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/hearthpds/hearth/backend/identity"
)

// settingsFile is the desktop's own settings, in the data directory.
type settingsFile struct {
	Port          int      `toml:"port,omitempty"`
	PLCURL        string   `toml:"plc_url,omitempty"`
	HandleDomains []string `toml:"handle_domains,omitempty"`
	Relays        []string `toml:"relays,omitempty"`
	LogLevel      string   `toml:"log_level,omitempty"`
}

func (a *App) settingsPath() string { return filepath.Join(a.opts.DataDir, "settings.toml") }

// readSettingsFile reads the settings file as written (zero values where
// it is silent).
func (a *App) readSettingsFile() (settingsFile, error) {
	var f settingsFile
	raw, err := os.ReadFile(a.settingsPath())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return f, fmt.Errorf("settings: %w", err)
	default:
		if err := toml.Unmarshal(raw, &f); err != nil {
			return f, fmt.Errorf("settings file %s: %w", a.settingsPath(), err)
		}
	}
	return f, nil
}

// loadSettings reads the settings file, with defaults for what it lacks.
func (a *App) loadSettings() (Settings, error) {
	f, err := a.readSettingsFile()
	if err != nil {
		return Settings{}, err
	}
	s := Settings{
		DataDir: a.opts.DataDir, Backend: "SQLite", Port: f.Port, PLCURL: f.PLCURL,
		HandleDomains: f.HandleDomains, Relays: f.Relays, LogLevel: f.LogLevel, Dev: a.opts.Dev,
	}
	if s.Port == 0 {
		s.Port = 2583
	}
	if s.PLCURL == "" {
		s.PLCURL = "https://plc.directory"
	}
	if s.LogLevel == "" {
		s.LogLevel = "info"
	}
	if s.HandleDomains == nil {
		s.HandleDomains = []string{}
	}
	if s.Relays == nil {
		s.Relays = []string{}
	}
	return s, nil
}

// Settings returns the current settings.
func (a *App) Settings() (Settings, error) {
	s, err := a.loadSettings()
	if err != nil {
		return s, uiError(err)
	}
	a.mu.Lock()
	loc := a.keyLoc
	a.mu.Unlock()
	s.KeyLocation = keyLocationWords(string(loc))
	if run, err := a.current(); err == nil {
		// What the running server uses: its port (the settings may name
		// none) and its handle domains (derived when the settings are
		// silent). In dev mode the PLC directory in use is the local
		// stand-in whatever the settings say (ServerStatus shows it).
		s.Port = run.port
		s.HandleDomains = run.cfg.HandleDomains
	}
	return s, nil
}

func keyLocationWords(loc string) string {
	switch loc {
	case "keychain":
		return "In the system keychain"
	case "passphrase-file":
		return "In a passphrase-protected file in the data directory"
	}
	return "Not open yet"
}

// SaveSettings checks and stores the settings; they apply when the server
// restarts (RestartServer).
func (a *App) SaveSettings(s Settings) error {
	f := settingsFile{Port: s.Port, PLCURL: strings.TrimSpace(s.PLCURL), LogLevel: strings.ToLower(s.LogLevel)}
	if f.Port < 1024 || f.Port > 65535 {
		return fmt.Errorf("the port must be between 1024 and 65535 (InvalidRequest)")
	}
	if u, err := url.Parse(f.PLCURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the PLC directory must be an http(s) URL (InvalidRequest)")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.LogLevel)); err != nil {
		return fmt.Errorf("the log level must be debug, info, warn or error (InvalidRequest)")
	}
	for _, d := range s.HandleDomains {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		if !strings.HasPrefix(d, ".") {
			d = "." + d
		}
		if _, err := identity.ValidateHandle("example"+d, []string{d}); err != nil {
			return fmt.Errorf("%q is not a usable handle domain (InvalidRequest)", d)
		}
		f.HandleDomains = append(f.HandleDomains, strings.ToLower(d))
	}
	for _, r := range s.Relays {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if u, err := url.Parse(r); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("relay %q must be an http(s) URL (InvalidRequest)", r)
		}
		f.Relays = append(f.Relays, r)
	}
	raw, err := toml.Marshal(f)
	if err != nil {
		return err
	}
	tmp := a.settingsPath() + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(tmp, a.settingsPath()); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	a.log.Info("settings saved; they apply when the server restarts")
	return nil
}

func joinComma(items []string) string { return strings.Join(items, ",") }

// desktopEnviron is the environment the server configuration reads: the
// process's own, so HEARTH_* variables still override the settings file.
func desktopEnviron(env []string) []string { return env }
