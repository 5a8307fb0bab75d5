package server

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/plugin/adapter"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// pluginArea holds the WASM plugin host: installed plugins under
// <data dir>/plugins, their compilation cache under <data dir>/plugins/.cache,
// their kv in the database.
type pluginArea struct {
	plugins     *plugin.Host
	pluginHooks *pluginHooks // the engine's hooks, built with the engine
}

// initPlugins opens the plugin host over the store, the blob service and the
// repo engine and starts the plugins that were enabled; Close stops them
// after their queued after-hooks ran. It runs after the blobs area.
func (s *Server) initPlugins(ctx context.Context) error {
	var nsids []string
	for _, m := range lexicon.Methods() {
		nsids = append(nsids, m.NSID)
	}
	h, err := plugin.New(ctx, plugin.Options{
		Dir:         filepath.Join(s.cfg.DataDir, "plugins"),
		KV:          plugin.StoreKV{Store: s.store},
		Records:     adapter.Records{Store: s.store},
		Blobs:       pluginBlobs{hooks: s.pluginHooks, base: adapter.Blobs{Service: s.blobSvc}},
		Repos:       adapter.Repos{Engine: s.engine},
		ServerNSIDs: nsids,
		Fetch:       plugin.FetchPolicy{AllowPrivate: s.cfg.PluginFetchAllowPrivate},
		Secrets:     s.sealer,
		Logger:      s.log.With("area", "plugins"),
	})
	if err != nil {
		return err
	}
	s.plugins = h
	s.pluginHooks.host.Store(h)
	s.closers = append(s.closers, func() error {
		s.pluginHooks.host.Store(nil)
		h.Close(context.Background())
		return nil
	})
	return nil
}

// Plugins returns the plugin host (for the desktop app, the admin methods
// and tests).
func (s *Server) Plugins() *plugin.Host { return s.plugins }

// registerPlugins adds the operator's dev.hearthpds.plugin.* methods.
func (s *Server) registerPlugins(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.PluginHandlers{Host: s.plugins}).Methods()...)
}
