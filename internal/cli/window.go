package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing/fstest"
	"time"

	"github.com/spf13/cobra"

	"github.com/hearthpds/hearth/app"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/internal/desktop"
)

// addDesktopFlags adds the flags the window and `hearth ui` share.
func addDesktopFlags(cmd *cobra.Command) {
	cmd.Flags().String("data-dir", "", "`directory` of the app's data (default: the platform's per-user data directory)")
	cmd.Flags().Bool("dev", false, "use a local PLC directory stand-in that takes new DIDs at once")
}

// newApp builds the app from the shared flags.
func newApp(cmd *cobra.Command, e *env, log *slog.Logger, listen string) (*app.App, error) {
	dataDir, _ := cmd.Flags().GetString("data-dir")
	dev, _ := cmd.Flags().GetBool("dev")
	return app.New(app.Options{
		DataDir: dataDir, Dev: dev, Keychain: keys.OSKeychain{}, Environ: e.environ, Logger: log, Listen: listen,
	})
}

// runWindow opens the desktop window (hearth with no subcommand).
func runWindow(cmd *cobra.Command, e *env) error {
	log := newLogger(e.stderr, slog.LevelInfo)
	pages := e.frontend
	if pages == nil {
		// Not built (a tagless build, or `wails generate module`, which
		// runs this to write the bindings): Wails decides what happens.
		pages = fstest.MapFS{}
	}
	a, err := newApp(cmd, e, log, "")
	if err != nil {
		return err
	}
	return desktop.Run(a, pages, log)
}

func newUICmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Serve the app's pages in a browser on loopback (no window needed)",
		Long: "Run the desktop app without its window: the same pages and the same PDS, served to a browser on a loopback " +
			"address protected by a one-time token, printed on start. For machines without a display, and for browser tests.",
		Args: cobra.NoArgs,
	}
	addDesktopFlags(cmd)
	cmd.Flags().String("listen", "127.0.0.1:0", "`host:port` for the pages (loopback only)")
	cmd.Flags().String("pds-listen", app.DefaultListen, "`host:port` for the PDS unless the settings name a port")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return runUI(cmd, e) }
	return cmd
}

func runUI(cmd *cobra.Command, e *env) error {
	log := newLogger(e.stderr, slog.LevelInfo)
	if e.frontend == nil {
		return errors.New("this build has no frontend pages")
	}
	listen, _ := cmd.Flags().GetString("listen")
	pdsListen, _ := cmd.Flags().GetString("pds-listen")
	if host, _, err := net.SplitHostPort(listen); err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("--listen %q: the pages are served on a loopback address only", listen)
	}
	a, err := newApp(cmd, e, log, pdsListen)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	app.Start(ctx, a)
	defer app.Stop(ctx, a)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	token := randomToken()
	hs := &http.Server{Handler: app.Bridge(a, e.frontend, token), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		hs.Close()
	}()
	fmt.Fprintf(e.stdout, "Hearth's pages: http://%s/?token=%s\n", ln.Addr(), token)
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
