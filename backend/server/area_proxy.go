package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// proxyArea holds the proxy services (filled in by its own work).
type proxyArea struct{}

// initProxy builds the proxy services.
func (s *Server) initProxy(ctx context.Context) error { return nil }

// registerProxy adds the proxy routes.
func (s *Server) registerProxy(rt *xrpc.Router, mux *http.ServeMux) {}
