// Command hearth is Hearth: a personal atproto PDS. Without a subcommand a
// desktop build opens the app's window; every build has the headless
// subcommands (hearth serve, hearth ui, hearth version, ...).
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/hearthpds/hearth/internal/cli"
)

// frontend is the built window (npm run build in frontend/). A fresh clone
// holds only frontend/dist/.gitkeep until it is built.
//
//go:embed all:frontend/dist
var frontend embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	dist, err := fs.Sub(frontend, "frontend/dist")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hearth:", err)
		os.Exit(1)
	}
	if _, err := fs.Stat(dist, "index.html"); err != nil {
		dist = nil // not built: no window and no pages
	}
	code := cli.Main(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr, dist)
	stop()
	os.Exit(code)
}
