package server

import (
	indigoid "github.com/bluesky-social/indigo/atproto/identity"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/identity"
)

// Accessors for the desktop app and tests, which call the services the
// HTTP layer calls.

// Config returns the configuration the server runs with.
func (s *Server) Config() *config.Config { return s.cfg }

// Accounts returns the account service.
func (s *Server) Accounts() *account.Service { return s.accounts }

// Blobs returns the blob service.
func (s *Server) Blobs() *blobs.Service { return s.blobSvc }

// Directory returns the identity directory (DID and handle resolution).
func (s *Server) Directory() indigoid.Directory { return s.dir }

// PLC returns the client of the PLC directory in use (the local stand-in
// in dev mode).
func (s *Server) PLC() *identity.PLCClient { return s.plc }
