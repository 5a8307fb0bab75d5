package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/hearthpds/hearth/backend/identity/plcserver"
)

func newPLCCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plc",
		Short: "Local did:plc directory for development and tests",
	}
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve a local PLC directory (speaks plc.directory's HTTP API and verifies operations)",
		Args:  cobra.NoArgs,
	}
	listen := serve.Flags().String("listen", "127.0.0.1:2582", "address to listen on")
	data := serve.Flags().String("data", "", "persist operations in this JSON `file` (default: in memory)")
	serve.RunE = func(cmd *cobra.Command, _ []string) error {
		log := newLogger(e.stderr, 0)
		plc, err := plcserver.New(plcserver.Options{Path: *data, Logger: log})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", *listen, err)
		}
		fmt.Fprintf(e.stdout, "PLC directory on http://%s\n", ln.Addr())
		return serveUntilDone(cmd.Context(), ln, plc)
	}
	cmd.AddCommand(serve)
	return cmd
}

// serveUntilDone serves h on ln until ctx ends, then shuts down.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
