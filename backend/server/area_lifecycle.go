package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// lifecycleArea holds the lifecycle services (filled in by its own work).
type lifecycleArea struct{}

// initLifecycle builds the lifecycle services.
func (s *Server) initLifecycle(ctx context.Context) error { return nil }

// registerLifecycle adds the lifecycle routes.
func (s *Server) registerLifecycle(rt *xrpc.Router, mux *http.ServeMux) {}
