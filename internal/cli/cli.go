// Package cli implements hearth's command line: one file per subcommand
// (serve.go, version.go, ...), built on cobra. main.go only calls Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// env carries what every subcommand needs from the process.
type env struct {
	environ        []string
	stdout, stderr io.Writer
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	root := newRoot(&env{environ: environ, stdout: stdout, stderr: stderr})
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
		Use:           "hearth",
		Short:         "Hearth: your own atproto PDS",
		Long:          "Hearth runs a personal atproto PDS (Bluesky-compatible account, records, blobs and keys) on your machine.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(e), newVersionCmd(e), newPLCCmd(e), newBenchCmd(e))
	return root
}
