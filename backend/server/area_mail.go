package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// mailArea holds the mail services (filled in by its own work).
type mailArea struct{}

// initMail builds the mail services.
func (s *Server) initMail(ctx context.Context) error { return nil }

// registerMail adds the mail routes.
func (s *Server) registerMail(rt *xrpc.Router, mux *http.ServeMux) {}
