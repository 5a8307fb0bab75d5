package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/server"
)

// running is the embedded PDS while it runs.
type running struct {
	srv     *server.Server
	cfg     *config.Config
	url     string
	port    int
	started time.Time
	cancel  context.CancelFunc
	done    chan error
	feed    *commitFeed

	mu     sync.Mutex
	didDoc didDocCache
}

func (a *App) dbPath() string { return filepath.Join(a.opts.DataDir, "hearth.db") }

// StartServer starts the embedded PDS on loopback (a no-op when it runs).
func (a *App) StartServer() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.run != nil {
		return nil
	}
	if a.master == nil {
		return errors.New("the master key is not open yet")
	}
	run, err := a.startLocked()
	a.startErr = err
	if err != nil {
		a.log.Error("server did not start", "err", err)
		return uiError(err)
	}
	a.run = run
	return nil
}

func (a *App) startLocked() (*running, error) {
	settings, err := a.readSettingsFile()
	if err != nil {
		return nil, err
	}
	listen := a.opts.Listen
	if settings.Port != 0 {
		listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(settings.Port))
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (change the port in Settings): %w", listen, err)
	}
	cfg, err := a.serverConfig(settings, ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Open(ctx, cfg, a.log, server.Options{
		MasterKey: a.master, LocalFirst: !a.opts.Dev, SignupClosed: true,
	})
	if err != nil {
		cancel()
		ln.Close()
		return nil, err
	}
	run := &running{
		srv: srv, cfg: cfg, url: cfg.PublicURL.String(), port: ln.Addr().(*net.TCPAddr).Port,
		started: time.Now(), cancel: cancel, done: make(chan error, 1),
	}
	go func() {
		err := srv.Serve(ctx, ln)
		srv.Close()
		run.done <- err
	}()
	latest, err := srv.Store().LatestSeq(ctx)
	if err != nil {
		a.log.Warn("commit feed: latest seq", "err", err)
	}
	run.feed = startCommitFeed(ctx, run.url, latest-feedSize, a.log)
	a.log.Info("server started", "url", run.url)
	return run, nil
}

// serverConfig builds the PDS configuration from the desktop settings, the
// HEARTH_* environment and fixed desktop choices (SQLite in the data
// directory, loopback).
func (a *App) serverConfig(s settingsFile, listen string) (*config.Config, error) {
	args := []string{
		"--listen", listen,
		"--data-dir", a.opts.DataDir,
		"--db", "sqlite://" + a.dbPath(),
		"--invite-required=false",
	}
	if s.LogLevel != "" {
		args = append(args, "--log-level", s.LogLevel)
	}
	if s.PLCURL != "" {
		args = append(args, "--plc-url", s.PLCURL)
	}
	if len(s.HandleDomains) > 0 {
		args = append(args, "--handle-domains", joinComma(s.HandleDomains))
	}
	if len(s.Relays) > 0 {
		args = append(args, "--relays", joinComma(s.Relays))
	}
	if a.opts.Dev {
		args = append(args, "--dev")
	}
	cfg, warnings, err := config.Load(args, desktopEnviron(a.opts.Environ))
	for _, w := range warnings {
		a.log.Warn(w)
	}
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// StopServer stops the embedded PDS and waits for it (a no-op when
// stopped).
func (a *App) StopServer() error {
	a.mu.Lock()
	run := a.run
	a.run = nil
	a.mu.Unlock()
	if run == nil {
		return nil
	}
	run.cancel()
	select {
	case err := <-run.done:
		a.log.Info("server stopped")
		if err != nil {
			return uiError(err)
		}
		return nil
	case <-time.After(15 * time.Second):
		return errors.New("the server did not stop within 15 s")
	}
}

// RestartServer stops and starts the server (after a settings change).
func (a *App) RestartServer() error {
	if err := a.StopServer(); err != nil {
		return err
	}
	return a.StartServer()
}

// current returns the running server, or an error the window shows.
func (a *App) current() (*running, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.run == nil {
		return nil, errors.New("the server is stopped: start it from Home")
	}
	return a.run, nil
}

// ServerStatus fills the Home page's cards.
func (a *App) ServerStatus() ServerStatus {
	st := ServerStatus{DataDir: a.opts.DataDir, Backend: "SQLite", Network: "Local only (loopback)"}
	st.DatabaseSize = fileSizes(a.opts.DataDir, func(name string) bool {
		return name == "hearth.db" || name == "hearth.db-wal" || name == "hearth.db-shm"
	})
	st.BlobBytes = dirSize(filepath.Join(a.opts.DataDir, "blobs"))
	st.DiskBytes = st.DatabaseSize + st.BlobBytes
	run, err := a.current()
	if err != nil {
		st.Error = err.Error()
		return st
	}
	st.Running, st.URL, st.Port, st.StartedAt = true, run.url, run.port, run.started
	st.PLCURL = run.srv.PLC().URL()
	if info, err := a.Account(); err == nil {
		st.Account = &info
		st.DIDDocPointsHere, st.DIDDocNote = a.didDocStatus(run, info)
		st.BlobCount = a.blobCount(run, info.DID)
	}
	return st
}

func fileSizes(dir string, match func(string) bool) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && match(e.Name()) {
			n += info.Size()
		}
	}
	return n
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
