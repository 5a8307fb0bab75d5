// Package testpds starts a real Hearth server for tests: a loopback HTTP
// listener, a local PLC directory (the stand-in, over loopback HTTP too)
// and the database URL the caller chooses.
package testpds

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/identity/plcserver"
	"github.com/hearthpds/hearth/backend/server"
)

// AdminPassword is the admin password of test servers.
const AdminPassword = "test-admin-password"

// PDS is a running test server.
type PDS struct {
	URL    string // http://127.0.0.1:port
	PLCURL string
	Server *server.Server
}

// Options tune a test server.
type Options struct {
	DBURL          string   // HEARTH_DB; default: a new SQLite file
	InviteRequired bool     // default false
	PLCURL         string   // share a PLC directory; default: a new stand-in
	ExtraArgs      []string // more `hearth serve` flags
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *PDS {
	t.Helper()
	if opts.PLCURL == "" {
		opts.PLCURL = StartPLC(t)
	}
	dir := t.TempDir()
	if opts.DBURL == "" {
		opts.DBURL = "sqlite://" + filepath.Join(dir, "hearth.db")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	args := append([]string{
		"--listen", ln.Addr().String(), "--public-url", url, "--data-dir", dir, "--db", opts.DBURL,
		"--plc-url", opts.PLCURL, "--handle-domains", ".test", "--admin-password", AdminPassword,
		"--invite-required=" + map[bool]string{true: "true", false: "false"}[opts.InviteRequired],
	}, opts.ExtraArgs...)
	cfg, _, err := config.Load(args, nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &PDS{URL: url, PLCURL: opts.PLCURL, Server: srv}
}

// StartPLC serves an in-memory PLC stand-in on loopback for the test.
func StartPLC(t testing.TB) string {
	t.Helper()
	plc, err := plcserver.New(plcserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(plc)
	t.Cleanup(ts.Close)
	return ts.URL
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
