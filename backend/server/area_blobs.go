package server

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// blobsArea holds the blob service: bytes on disk under <data dir>/blobs,
// metadata in the store, and the garbage collector's goroutine.
type blobsArea struct {
	blobSvc *blobs.Service
}

// initBlobs opens the disk blob store, builds the service and starts the
// collector; Close stops it.
func (s *Server) initBlobs(context.Context) error {
	disk, err := blobs.NewDisk(filepath.Join(s.cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	svc, err := blobs.New(blobs.Config{Meta: s.store, Bytes: disk, Grace: s.cfg.BlobGrace, Logger: s.log, Hooks: s.pluginHooks})
	if err != nil {
		return err
	}
	s.blobSvc = svc
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { svc.Run(ctx) })
	s.closers = append(s.closers, func() error { cancel(); wg.Wait(); return nil })
	return nil
}

// registerBlobs adds uploadBlob, listMissingBlobs, sync.getBlob and
// sync.listBlobs. uploadBlob also takes service-auth tokens, through the
// router's service verifier (set by the lifecycle area).
func (s *Server) registerBlobs(rt *xrpc.Router, _ *http.ServeMux) {
	h := &xrpc.BlobHandlers{Store: s.store, Blobs: s.blobSvc, Limit: s.cfg.BlobLimit, Log: s.log}
	rt.Register(h.Methods()...)
}
