package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// adminArea holds the admin services (filled in by its own work).
type adminArea struct{}

// initAdmin builds the admin services.
func (s *Server) initAdmin(ctx context.Context) error { return nil }

// registerAdmin adds the admin routes.
func (s *Server) registerAdmin(rt *xrpc.Router, mux *http.ServeMux) {}
