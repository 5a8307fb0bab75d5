package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// syncArea holds the repository sync services (they need nothing beyond
// the store and the repo engine).
type syncArea struct{}

// initSync builds the sync services.
func (s *Server) initSync(context.Context) error { return nil }

// registerSync adds com.atproto.sync.* for repositories.
func (s *Server) registerSync(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.SyncHandlers{Store: s.store, Engine: s.engine, Log: s.log}).Methods()...)
}
