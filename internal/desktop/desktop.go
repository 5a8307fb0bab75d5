// Package desktop opens Hearth's window: Wails v2 with the frontend built
// into the binary, bound to an app.App. Only a build with the desktop tags
// (wails build -tags webkit2_41, or go build -tags desktop,production,
// webkit2_41) can open it; a tagless build reports that instead.
package desktop

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/hearthpds/hearth/app"
)

// ErrNoDesktop: this binary was built without the desktop tags.
var ErrNoDesktop = errors.New("this build of hearth has no window (build it with `make desktop`); use `hearth serve` for the headless PDS or `hearth ui` for the pages in a browser")

// Run opens the window for a and blocks until it is closed; the PDS is
// started by the window's start-up hook and stopped when it closes.
func Run(a *app.App, assets fs.FS, log *slog.Logger) error {
	err := wails.Run(&options.App{
		Title:            "Hearth",
		Width:            1180,
		Height:           800,
		MinWidth:         820,
		MinHeight:        560,
		BackgroundColour: &options.RGBA{R: 250, G: 248, B: 245, A: 255},
		AssetServer:      &assetserver.Options{Assets: assets},
		OnStartup:        func(ctx context.Context) { app.StartWindow(ctx, a) },
		OnShutdown:       func(ctx context.Context) { app.Stop(ctx, a) },
		Bind:             []any{a},
		Logger:           slogLogger{log},
		LogLevel:         logger.WARNING,
		Linux:            &linux.Options{ProgramName: "hearth", WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
	if err != nil && err.Error() == "Wails applications will not build without the correct build tags." {
		return ErrNoDesktop
	}
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	return nil
}

// slogLogger routes Wails's own log lines to slog.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Print(message string)   { l.log.Info(message) }
func (l slogLogger) Trace(message string)   { l.log.Debug(message) }
func (l slogLogger) Debug(message string)   { l.log.Debug(message) }
func (l slogLogger) Info(message string)    { l.log.Info(message) }
func (l slogLogger) Warning(message string) { l.log.Warn(message) }
func (l slogLogger) Error(message string)   { l.log.Error(message) }
func (l slogLogger) Fatal(message string)   { l.log.Error(message) }
