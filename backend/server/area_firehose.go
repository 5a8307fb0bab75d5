package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// firehoseArea holds the firehose services (filled in by its own work).
type firehoseArea struct{}

// initFirehose builds the firehose services.
func (s *Server) initFirehose(ctx context.Context) error { return nil }

// registerFirehose adds the firehose routes.
func (s *Server) registerFirehose(rt *xrpc.Router, mux *http.ServeMux) {}
