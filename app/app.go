package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/keys"
)

// DefaultListen is where the desktop's PDS listens: loopback only, on the
// reference PDS's usual port.
const DefaultListen = "127.0.0.1:2583"

// Options configure an App.
type Options struct {
	// DataDir holds the database, blobs, settings and (without a
	// keychain) the passphrase key file; DefaultDataDir() when empty.
	DataDir string
	// Dev runs with a local PLC directory stand-in that takes the genesis
	// operation at once (hearth --dev).
	Dev bool
	// Keychain is the OS keychain (keys.OSKeychain{}); nil means none, so
	// the passphrase file is used.
	Keychain keys.Keychain
	// KeychainUser names the keychain item; DefaultKeychainUser when empty
	// (tests use their own, so they never touch a real install's key).
	KeychainUser string
	// Environ is the process environment; HEARTH_* variables override the
	// settings file as for hearth serve.
	Environ []string
	// Listen is where the PDS listens unless the settings name a port;
	// DefaultListen when empty (tests use 127.0.0.1:0).
	Listen string
	// Logger receives the server's logs as well as the logs view; nil
	// means the logs view only.
	Logger *slog.Logger
}

// App is the desktop app's Go side. Its exported methods are the window's
// bindings. It is safe for concurrent use.
type App struct {
	opts Options
	logs *logRing
	log  *slog.Logger

	mu       sync.Mutex
	master   []byte
	keyLoc   keys.KeyLocation
	run      *running // nil while stopped
	startErr error
	importer *importState
	// actAs holds the act-as sessions (tokens in memory only; actas.go).
	actAs actAsSessions
	// windowCtx is the Wails window's context (nil without a window).
	windowCtx context.Context
}

// New returns an App for opts. Nothing starts until Start (the window's
// start-up hook) or Unlock.
func New(opts Options) (*App, error) {
	if opts.DataDir == "" {
		dir, err := DefaultDataDir()
		if err != nil {
			return nil, err
		}
		opts.DataDir = dir
	}
	if opts.Listen == "" {
		opts.Listen = DefaultListen
	}
	abs, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", opts.DataDir, err)
	}
	opts.DataDir = abs
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", abs, err)
	}
	a := &App{opts: opts, logs: newLogRing(1000)}
	a.log = slog.New(a.logs.handler(opts.Logger))
	a.importer = newImportState()
	return a, nil
}

// DefaultDataDir is where the desktop keeps its data: the platform's
// per-user application data directory (XDG_DATA_HOME or ~/.local/share on
// Linux, %AppData% on Windows, ~/Library/Application Support on macOS).
func DefaultDataDir() (string, error) {
	if runtime.GOOS == "linux" {
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "hearth"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data directory: %w", err)
		}
		return filepath.Join(home, ".local", "share", "hearth"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	return filepath.Join(d, "Hearth"), nil
}

// Start is the window's start-up hook: it opens the master key when no
// passphrase is needed and starts the server. Failures are kept for
// State to report; the window still opens.
func Start(ctx context.Context, a *App) {
	st := a.keyState()
	if st.NeedsPassphrase {
		a.log.Info("waiting for the passphrase", "reason", st.Reason)
		return
	}
	if err := a.unlock(ctx, nil); err != nil {
		a.log.Error("could not open the master key", "err", err)
	}
}

// Stop is the window's shutdown hook: it stops the server cleanly.
func Stop(ctx context.Context, a *App) {
	a.importer.cancelRunning()
	if err := a.StopServer(); err != nil {
		a.log.Error("stopping the server", "err", err)
	}
}

func (a *App) keyOptions() keys.DesktopKeyOptions {
	_, dbErr := os.Stat(a.dbPath())
	return keys.DesktopKeyOptions{
		Keychain:       a.opts.Keychain,
		User:           a.opts.KeychainUser,
		PassphraseFile: filepath.Join(a.opts.DataDir, "master.key.locked"),
		HaveData:       dbErr == nil,
		ProbeTimeout:   5 * time.Second,
	}
}

func (a *App) keyState() keys.DesktopKeyStatus {
	return keys.DesktopKeyState(a.keyOptions())
}

// Unlock opens the master key with the person's passphrase (creating the
// passphrase file the first time) and starts the server.
func (a *App) Unlock(passphrase string) error {
	return a.unlock(context.Background(), []byte(passphrase))
}

func (a *App) unlock(ctx context.Context, passphrase []byte) error {
	a.mu.Lock()
	if a.master != nil {
		a.mu.Unlock()
		return nil
	}
	key, loc, err := keys.UnlockDesktopMasterKey(a.keyOptions(), passphrase)
	if err != nil {
		a.mu.Unlock()
		return uiError(err)
	}
	a.master, a.keyLoc = key, loc
	a.mu.Unlock()
	a.log.Info("master key opened", "where", string(loc))
	return a.StartServer()
}

// State tells the window which page to show.
func (a *App) State() State {
	a.mu.Lock()
	locked := a.master == nil
	loc := a.keyLoc
	startErr := a.startErr
	a.mu.Unlock()
	st := State{Dev: a.opts.Dev, KeyLocation: string(loc)}
	if startErr != nil {
		st.StartError = uiError(startErr).Error()
	}
	if locked {
		ks := a.keyState()
		st.Phase = PhaseLocked
		st.PassphraseExists = ks.FileExists
		st.KeychainProblem = ks.Reason
		if !ks.NeedsPassphrase && st.StartError == "" && ks.Reason != "" {
			st.StartError = ks.Reason
		}
		return st
	}
	o, err := a.owner()
	switch {
	case err != nil:
		st.Phase = PhaseFirstRun
	case o.Importing:
		st.Phase = PhaseImporting
	default:
		// Ready even while the server is stopped: the account exists.
		st.Phase = PhaseReady
	}
	if info, err := a.Account(); err == nil {
		st.Account = &info
	}
	return st
}
