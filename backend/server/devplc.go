package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/hearthpds/hearth/backend/identity/plcserver"
)

// startDevPLC serves a local PLC stand-in on a loopback port, persisted in
// <dataDir>/plc-dev.json, and returns its URL and a stop function.
func startDevPLC(dataDir string, log *slog.Logger) (string, func() error, error) {
	plc, err := plcserver.New(plcserver.Options{Path: filepath.Join(dataDir, "plc-dev.json"), Logger: log})
	if err != nil {
		return "", nil, fmt.Errorf("dev PLC directory: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("dev PLC directory: %w", err)
	}
	hs := &http.Server{Handler: plc, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("dev PLC directory stopped", "err", err)
		}
	}()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}
