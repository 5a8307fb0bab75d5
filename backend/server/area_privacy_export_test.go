package server

import (
	"context"
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

// ResolveLocalKey resolves did's published encryption key as the privacy
// service does, with no directory: only a key in this server's repos is
// found.
func ResolveLocalKey(s *Server, did string) (string, error) {
	k, err := remoteKeys{dir: nil, hc: nil, local: s.store}.ResolveKey(context.Background(), did)
	return k.KeyID(), err
}
