package cli

import (
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/spf13/cobra"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/server"
)

func newServeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the PDS headless (multi-user; SQLite or PostgreSQL)",
		Long: "Run the PDS without a window. Every setting is a flag, a HEARTH_* environment variable " +
			"or a key of the --config TOML file; flags win over the environment, which wins over the file.",
		Args: cobra.NoArgs,
	}
	config.RegisterFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, warnings, err := config.FromFlags(cmd.Flags(), e.environ)
		level := slog.LevelInfo
		if cfg != nil {
			level = cfg.LogLevel
		}
		log := newLogger(e.stderr, level)
		for _, w := range warnings {
			log.Warn(w)
		}
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
		}
		if cfg, err = boundConfig(cmd, e, cfg, ln.Addr().String()); err != nil {
			ln.Close()
			return err
		}
		ctx := cmd.Context()
		srv, err := server.New(ctx, cfg, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer srv.Close()
		fmt.Fprintf(e.stdout, "Hearth is serving %s (listening on %s)\n", cfg.PublicURL, ln.Addr())
		return srv.Serve(ctx, ln)
	}
	return cmd
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// boundConfig re-reads the configuration with the address actually bound
// when the listen address asked for any port (":0") and the public URL,
// the service DID and the handle domains derive from it; otherwise cfg is
// returned as is.
func boundConfig(cmd *cobra.Command, e *env, cfg *config.Config, bound string) (*config.Config, error) {
	if bound == cfg.Listen || cfg.PublicURL.String() != "http://"+cfg.Listen {
		return cfg, nil
	}
	if err := cmd.Flags().Set("listen", bound); err != nil {
		return nil, err
	}
	out, _, err := config.FromFlags(cmd.Flags(), e.environ)
	return out, err
}
