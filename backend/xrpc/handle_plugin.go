package xrpc

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/hearthpds/hearth/backend/plugin"
)

// PluginAdmin is the part of plugin.Host the admin methods drive.
type PluginAdmin interface {
	Install(ctx context.Context, path string) (*plugin.Manifest, error)
	Enable(ctx context.Context, id string, grant []plugin.Capability) error
	Disable(ctx context.Context, id string) error
	Reload(ctx context.Context, id, path string) error
	Uninstall(ctx context.Context, id string, wipe bool) error
	Configure(ctx context.Context, id string, values map[string]any) error
	Inspect(id string) (plugin.Info, error)
	List() []plugin.Info
}

var _ PluginAdmin = (*plugin.Host)(nil)

// PluginHandlers serves dev.hearthpds.plugin.* for the operator (HTTP Basic
// admin:<admin password>): list, inspect, install from a path on the
// server, enable with a grant, disable, reload, uninstall and configure.
type PluginHandlers struct {
	Host PluginAdmin
}

// Methods returns the methods to register.
func (h *PluginHandlers) Methods() []Method {
	const ns = "dev.hearthpds.plugin."
	return []Method{
		{NSID: ns + "list", Kind: Query, Auth: AdminAuth, Handler: h.list},
		{NSID: ns + "inspect", Kind: Query, Auth: AdminAuth, Handler: h.inspect},
		{NSID: ns + "install", Kind: Procedure, Auth: AdminAuth, Handler: h.install},
		{NSID: ns + "enable", Kind: Procedure, Auth: AdminAuth, Handler: h.enable},
		{NSID: ns + "disable", Kind: Procedure, Auth: AdminAuth, Handler: h.disable},
		{NSID: ns + "reload", Kind: Procedure, Auth: AdminAuth, Handler: h.reload},
		{NSID: ns + "uninstall", Kind: Procedure, Auth: AdminAuth, Handler: h.uninstall},
		{NSID: ns + "configure", Kind: Procedure, Auth: AdminAuth, Handler: h.configure},
	}
}

// pluginError maps the host's errors to XRPC errors: every failure of a
// lifecycle call is about its input (a bad bundle, manifest or grant).
func pluginError(err error) error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case errors.Is(err, plugin.ErrUnknownPlugin):
		return Errorf(http.StatusBadRequest, "PluginNotFound", "%s", err.Error())
	case errors.Is(err, plugin.ErrExists):
		return Errorf(http.StatusBadRequest, "PluginExists", "%s", err.Error())
	case errors.Is(err, plugin.ErrConfig):
		return Errorf(http.StatusBadRequest, "InvalidConfig", "%s", err.Error())
	case errors.Is(err, plugin.ErrManifest):
		return Errorf(http.StatusBadRequest, "InvalidManifest", "%s", err.Error())
	case errors.Is(err, fs.ErrNotExist):
		return invalidRequest("no plugin bundle there: %v", err)
	}
	return Errorf(http.StatusBadRequest, "InvalidPlugin", "%s", err.Error())
}

type pluginListOut struct {
	Plugins []plugin.Info `json:"plugins"`
}

func (h *PluginHandlers) list(_ context.Context, _ *Call) (any, error) {
	infos := h.Host.List()
	if infos == nil {
		infos = []plugin.Info{}
	}
	return pluginListOut{Plugins: infos}, nil
}

func (h *PluginHandlers) inspect(_ context.Context, c *Call) (any, error) {
	id := c.Request().URL.Query().Get("id")
	if id == "" {
		return nil, invalidRequest("id is required")
	}
	info, err := h.Host.Inspect(id)
	if err != nil {
		return nil, pluginError(err)
	}
	return info, nil
}

type pluginIDIn struct {
	ID string `json:"id"`
}

func (in pluginIDIn) check() error {
	if in.ID == "" {
		return invalidRequest("id is required")
	}
	return nil
}

type pluginInstallIn struct {
	Path string `json:"path"`
}

// installedOut answers install: the new plugin's view.
func (h *PluginHandlers) installed(id string) (any, error) {
	info, err := h.Host.Inspect(id)
	return info, pluginError(err)
}

func (h *PluginHandlers) install(ctx context.Context, c *Call) (any, error) {
	var in pluginInstallIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkBundlePath(in.Path, true); err != nil {
		return nil, err
	}
	m, err := h.Host.Install(ctx, in.Path)
	if err != nil {
		return nil, pluginError(err)
	}
	return h.installed(m.ID)
}

// checkBundlePath wants an absolute path on the server (a folder or .zip).
func checkBundlePath(path string, required bool) error {
	switch {
	case path == "" && required:
		return invalidRequest("path is required: the plugin's folder or .zip on the server")
	case path != "" && !filepath.IsAbs(path):
		return invalidRequest("path must be absolute (a folder or .zip on the server): %q", path)
	case strings.ContainsRune(path, 0):
		return invalidRequest("path must not contain NUL")
	}
	return nil
}

type pluginEnableIn struct {
	ID string `json:"id"`
	// Grant narrows the declared capabilities; absent grants them all.
	Grant *[]plugin.Capability `json:"grant"`
}

func (h *PluginHandlers) enable(ctx context.Context, c *Call) (any, error) {
	var in pluginEnableIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := (pluginIDIn{ID: in.ID}).check(); err != nil {
		return nil, err
	}
	var grant []plugin.Capability
	if in.Grant != nil {
		grant = *in.Grant
		if grant == nil {
			grant = []plugin.Capability{}
		}
		for i, g := range grant {
			if g.Kind == "" {
				return nil, invalidRequest("grant[%d].kind is required", i)
			}
		}
	}
	if err := h.Host.Enable(ctx, in.ID, grant); err != nil {
		return nil, pluginError(err)
	}
	return h.installed(in.ID)
}

func (h *PluginHandlers) disable(ctx context.Context, c *Call) (any, error) {
	var in pluginIDIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := h.Host.Disable(ctx, in.ID); err != nil {
		return nil, pluginError(err)
	}
	return h.installed(in.ID)
}

type pluginReloadIn struct {
	ID   string `json:"id"`
	Path string `json:"path"` // empty: the installed bundle
}

func (h *PluginHandlers) reload(ctx context.Context, c *Call) (any, error) {
	var in pluginReloadIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := (pluginIDIn{ID: in.ID}).check(); err != nil {
		return nil, err
	}
	if err := checkBundlePath(in.Path, false); err != nil {
		return nil, err
	}
	if err := h.Host.Reload(ctx, in.ID, in.Path); err != nil {
		return nil, pluginError(err)
	}
	return h.installed(in.ID)
}

type pluginUninstallIn struct {
	ID   string `json:"id"`
	Wipe bool   `json:"wipe"` // also delete its kv and /data
}

func (h *PluginHandlers) uninstall(ctx context.Context, c *Call) (any, error) {
	var in pluginUninstallIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := (pluginIDIn{ID: in.ID}).check(); err != nil {
		return nil, err
	}
	if err := h.Host.Uninstall(ctx, in.ID, in.Wipe); err != nil {
		return nil, pluginError(err)
	}
	return nil, nil
}

type pluginConfigureIn struct {
	ID     string         `json:"id"`
	Config map[string]any `json:"config"`
}

// configure sets configuration values (checked against the plugin's
// config schema); the plugin's next call sees them.
func (h *PluginHandlers) configure(ctx context.Context, c *Call) (any, error) {
	var in pluginConfigureIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := (pluginIDIn{ID: in.ID}).check(); err != nil {
		return nil, err
	}
	if in.Config == nil {
		return nil, invalidRequest("config is required: an object of values named as in the plugin's config schema")
	}
	if err := h.Host.Configure(ctx, in.ID, in.Config); err != nil {
		return nil, pluginError(err)
	}
	return h.installed(in.ID)
}
