package server

import (
	"context"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// privateBlobGrace keeps a private blob file that no row names yet (an
// upload writes its file before its row) from the sweep.
const privateBlobGrace = time.Minute

// privacyArea holds the private-records service: envelopes, grants and
// rotations in the store, encrypted blob bytes under
// <data dir>/private-blobs (apart from the public blob store, whose
// collector and getBlob must never see them).
type privacyArea struct {
	privacy      *privacy.Service
	privateBlobs *privacy.DiskBlobs
	// privateGrace is the sweep's grace (privateBlobGrace; tests lower it).
	privateGrace atomic.Int64
}

// initPrivacy builds the privacy service. It holds the master key, so the
// owner-side methods work in-process (the desktop app); the HTTP layer
// calls only the server-side ones. A new identity's key record is written
// to the owner's repo through the engine, and grantees on other PDSes are
// resolved by fetching theirs. Grants and rotations run the plugins'
// privacy hooks; a grantee hosted here reads what other PDSes granted it
// through privacyNetwork. Deleting an account removes its private
// rows by cascade; the hook registered here then removes the blob files no
// remaining account names.
func (s *Server) initPrivacy(context.Context) error {
	disk, err := privacy.NewDiskBlobs(filepath.Join(s.cfg.DataDir, "private-blobs"))
	if err != nil {
		return err
	}
	svc, err := privacy.New(privacy.Config{Store: s.store, Sealer: s.sealer, Blobs: disk,
		Publisher: keyPublisher{s.engine}, Keys: remoteKeys{dir: s.dir, hc: s.hc, local: s.store},
		Hooks: privacyHooks{s.pluginHooks}, Network: s.privacyNetwork()})
	if err != nil {
		return err
	}
	s.privacy, s.privateBlobs = svc, disk
	s.privateGrace.Store(int64(privateBlobGrace))
	if s.lifecycle != nil {
		s.lifecycle.OnDelete(func(ctx context.Context, did string) {
			if _, err := s.sweepPrivateBlobs(ctx, time.Duration(s.privateGrace.Load())); err != nil {
				s.log.Warn("remove the private blobs of a deleted account", "did", did, "err", err)
			}
		})
	}
	return nil
}

// sweepPrivateBlobs removes the private blob files older than grace that
// no account's private_blobs row names, and returns how many it removed.
func (s *Server) sweepPrivateBlobs(ctx context.Context, grace time.Duration) (int, error) {
	keep := map[cid.Cid]bool{}
	for cursor := ""; ; {
		accts, err := s.store.ListAccounts(ctx, cursor, 500)
		if err != nil {
			return 0, err
		}
		for _, a := range accts {
			for after := cid.Undef; ; {
				bs, err := s.store.ListPrivateBlobs(ctx, a.DID, after, 500)
				if err != nil {
					return 0, err
				}
				for _, b := range bs {
					keep[b.CID] = true
				}
				if len(bs) < 500 {
					break
				}
				after = bs[len(bs)-1].CID
			}
		}
		if len(accts) < 500 {
			break
		}
		cursor = accts[len(accts)-1].DID
	}
	return s.privateBlobs.Sweep(ctx, func(c cid.Cid) bool { return keep[c] }, grace)
}

// registerPrivacy adds the dev.hearthpds.private.* and
// dev.hearthpds.crypto.* methods.
func (s *Server) registerPrivacy(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.PrivateHandlers{Privacy: s.privacy, Limit: s.cfg.BlobLimit, Log: s.log}).Methods()...)
}

// Privacy returns the private-records service (for the desktop app and
// tests).
func (s *Server) Privacy() *privacy.Service { return s.privacy }
