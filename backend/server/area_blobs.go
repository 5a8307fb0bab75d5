package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// blobsArea holds the blobs services (filled in by its own work).
type blobsArea struct{}

// initBlobs builds the blobs services.
func (s *Server) initBlobs(ctx context.Context) error { return nil }

// registerBlobs adds the blobs routes.
func (s *Server) registerBlobs(rt *xrpc.Router, mux *http.ServeMux) {}
