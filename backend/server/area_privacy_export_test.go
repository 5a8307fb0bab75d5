package server

import (
	"path/filepath"
	"time"

	"github.com/ipfs/go-cid"
)

// SetPrivateBlobGrace lowers the private-blob sweep's grace for tests.
func SetPrivateBlobGrace(s *Server, d time.Duration) { s.privateGrace.Store(int64(d)) }

// PrivateBlobPath is the file holding a private blob's bytes.
func PrivateBlobPath(s *Server, c cid.Cid) string {
	return filepath.Join(s.cfg.DataDir, "private-blobs", c.String())
}
