package server

import (
	"context"

	"github.com/hearthpds/hearth/backend/importer"
)

// importArea holds the account importer ("bring my account here"): it
// copies an account from its current PDS into this server, leaving the
// DID document alone. It has no routes; the desktop app drives it.
type importArea struct {
	importer *importer.Importer
}

// initImport builds the importer over the account, lifecycle and blob
// services; Close cancels running imports (removing their accounts) before
// the store closes.
func (s *Server) initImport(context.Context) error {
	im, err := importer.New(importer.Config{
		Accounts: s.accounts, Lifecycle: s.lifecycle, Blobs: s.blobSvc, Store: s.store,
		Directory: s.dir, Logger: s.log, BlobLimit: s.cfg.BlobLimit,
	})
	if err != nil {
		return err
	}
	s.importer = im
	s.closers = append(s.closers, func() error { im.Close(); return nil })
	return nil
}

// Importer returns the account importer.
func (s *Server) Importer() *importer.Importer { return s.importer }
