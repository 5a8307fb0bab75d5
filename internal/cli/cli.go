// Package cli implements hearth's command line: one file per subcommand
// (serve.go, version.go, ...), built on cobra. main.go only calls Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// env carries what every subcommand needs from the process.
type env struct {
	environ        []string
	stdout, stderr io.Writer
	frontend       fs.FS // the built window pages (rooted at index.html); nil in tests
}

// Main runs the command line and returns the process exit code. frontend
// is the built window's pages, rooted at their index.html (main.go embeds
// them); it may be nil when no window or page is to be served.
func Main(ctx context.Context, args, environ []string, stdout, stderr io.Writer, frontend fs.FS) int {
	root := newRoot(&env{environ: environ, stdout: stdout, stderr: stderr, frontend: frontend})
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "hearth:", err)
		return 1
	}
	return 0
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "hearth",
		Short: "Hearth: your own atproto PDS",
		Long: "Hearth runs a personal atproto PDS (Bluesky-compatible account, records, blobs and keys) on your machine.\n" +
			"Without a subcommand it opens the app's window (desktop builds); `hearth serve` runs the PDS headless.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	addDesktopFlags(root)
	root.RunE = func(cmd *cobra.Command, _ []string) error { return runWindow(cmd, e) }
	root.AddCommand(newServeCmd(e), newVersionCmd(e), newPLCCmd(e), newBenchCmd(e), newUICmd(e), newPluginCmd(e))
	return root
}
