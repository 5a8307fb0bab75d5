package blobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// Collection is done in pages; one pass handles at most maxPages of them
// and leaves the rest to the next.
const (
	pageSize = 100
	maxPages = 100
)

// Run collects unreferenced blobs every Interval and sweeps the blob store
// every SweepEvery (the first time on the first tick), until ctx ends. It
// logs what it deleted and what failed.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	var lastSweep time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.tick(ctx, &lastSweep)
	}
}

func (s *Service) tick(ctx context.Context, lastSweep *time.Time) {
	n, err := s.Collect(ctx)
	if n > 0 {
		s.log.Info("deleted unreferenced blobs", "count", n, "grace", s.grace)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Error("blob garbage collection failed", "err", err)
	}
	if now := s.now(); lastSweep.IsZero() || now.Sub(*lastSweep) >= s.sweep {
		*lastSweep = now
		n, err := s.Sweep(ctx)
		if n > 0 {
			s.log.Info("swept orphaned blob bytes", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Error("blob sweep failed", "err", err)
		}
	}
}

// Collect deletes every blob that no record references and that was
// uploaded longer than the grace period ago: its metadata, its owner entry,
// and its bytes unless another account still names them. It returns how
// many blobs (account, CID pairs) it deleted.
func (s *Service) Collect(ctx context.Context) (int, error) {
	olderThan := s.now().Add(-s.grace)
	deleted := 0
	for range maxPages {
		page, err := s.meta.ListUnreferencedBlobs(ctx, olderThan, pageSize)
		if err != nil {
			return deleted, fmt.Errorf("blobs: collect: %w", err)
		}
		for _, b := range page {
			ok, err := s.collect(ctx, b.DID, b.CID, olderThan)
			if err != nil {
				return deleted, err
			}
			if ok {
				deleted++
			}
		}
		if len(page) < pageSize {
			break
		}
	}
	return deleted, nil
}

// collect deletes one account's blob if it is still unreferenced and old.
func (s *Service) collect(ctx context.Context, did string, c cid.Cid, olderThan time.Time) (bool, error) {
	unlock := s.locks.lock(c)
	defer unlock()
	cur, err := s.meta.GetBlob(ctx, did, c)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // gone meanwhile; Sweep sees to the bytes
	}
	if err != nil {
		return false, fmt.Errorf("blobs: collect %s of %s: %w", c, did, err)
	}
	if !cur.CreatedAt.Before(olderThan) {
		return false, nil // uploaded again since it was listed
	}
	ok, err := s.meta.DeleteBlob(ctx, did, c)
	if err != nil || !ok { // !ok: a record references it now
		return false, err
	}
	if err := s.bytes.RemoveOwner(ctx, c, did); err != nil {
		return true, err
	}
	_, err = s.release(ctx, c)
	return true, err
}

// release deletes the bytes of c unless some account's metadata still
// names c, dropping owner entries the metadata no longer backs. It reports
// whether it deleted the bytes. The caller holds c's lock.
func (s *Service) release(ctx context.Context, c cid.Cid) (bool, error) {
	owners, err := s.bytes.ListOwners(ctx, c)
	if err != nil {
		return false, err
	}
	for _, did := range owners {
		_, err := s.meta.GetBlob(ctx, did, c)
		switch {
		case err == nil:
			return false, nil
		case !errors.Is(err, store.ErrNotFound):
			return false, fmt.Errorf("blobs: owner %s of %s: %w", did, c, err)
		}
		if err := s.bytes.RemoveOwner(ctx, c, did); err != nil {
			return false, err
		}
	}
	has, err := s.bytes.Has(ctx, c)
	if err != nil || !has {
		return false, err
	}
	return true, s.bytes.Delete(ctx, c)
}

// Sweep walks the whole blob store and deletes the bytes that no account's
// metadata names any more: those of deleted accounts, and those a crash
// left between storing the bytes and recording the metadata. It returns
// how many blobs' bytes it deleted.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	deleted := 0
	err := s.bytes.List(ctx, func(c cid.Cid) error {
		unlock := s.locks.lock(c)
		defer unlock()
		ok, err := s.release(ctx, c)
		if ok {
			deleted++
		}
		return err
	})
	if err != nil {
		return deleted, fmt.Errorf("blobs: sweep: %w", err)
	}
	return deleted, nil
}
