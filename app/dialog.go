package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// StartWindow is Start for the Wails window: it also keeps the window's
// context for native dialogs.
func StartWindow(ctx context.Context, a *App) {
	a.mu.Lock()
	a.windowCtx = ctx
	a.mu.Unlock()
	Start(ctx, a)
}

// ChooseCARFile opens the system's file dialog for a repository CAR file
// and returns its path ("" when cancelled). Without a window (hearth ui)
// the page asks for the path instead.
func (a *App) ChooseCARFile() (string, error) {
	a.mu.Lock()
	ctx := a.windowCtx
	a.mu.Unlock()
	if ctx == nil {
		return "", invalid("no file dialog here: type the file's path")
	}
	path, err := runtime.OpenFileDialog(ctx, runtime.OpenDialogOptions{
		Title:   "Choose your repository (CAR file)",
		Filters: []runtime.FileFilter{{DisplayName: "Repository (*.car)", Pattern: "*.car"}},
	})
	if err != nil {
		return "", uiError(err)
	}
	return path, nil
}
