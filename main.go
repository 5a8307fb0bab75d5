// Command hearth is Hearth: a personal atproto PDS. Built with the desktop
// tags it opens the app's window; every build has the headless subcommands
// (hearth serve, hearth version, ...).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hearthpds/hearth/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
