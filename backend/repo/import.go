package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
)

// DefaultMaxImportSize bounds an imported CAR stream. The whole repo is
// held in memory while it is verified.
const DefaultMaxImportSize = 128 << 20

// Import errors.
var (
	// ErrInvalidRepo: the CAR is not a well-formed, complete, correctly
	// signed repository of the account (the message says what is wrong).
	ErrInvalidRepo = errors.New("invalid repository")
	// ErrImportTooLarge: the CAR stream is longer than the import limit.
	ErrImportTooLarge = errors.New("repository import too large")
)

// ImportOptions configure Import.
type ImportOptions struct {
	// Store lands the repo.
	Store store.Imports
	// TrustedKeys are the keys the imported commit may be signed with:
	// normally the account's signing key here and the one its DID document
	// currently names (the old PDS's, during a migration).
	TrustedKeys []atcrypto.PublicKey
	// MaxBytes bounds the CAR stream (DefaultMaxImportSize when zero).
	MaxBytes int64
}

// Import replaces did's repository with the one in the CAR stream r
// (com.atproto.repo.importRepo), and returns the new commit.
//
// The CAR must have one root, the repo's signed commit, whose DID is did
// and whose signature verifies with one of opts.TrustedKeys; every block's
// hash must match its CID, and the MST and every record it points at must
// be present. Blocks the tree does not reach are dropped.
//
// The imported tree is kept, but the imported commit is not: as a commit
// made here, the repo gets a new commit over the same data, signed with the
// account's key and with a rev above both the imported one and the current
// one, so that it verifies once the DID document names this server's key.
// The whole repo, the record index and its blob references land in one
// transaction with a #sync event; the engine's cached state is dropped.
func (e *Engine) Import(ctx context.Context, did string, r io.Reader, opts ImportOptions) (*CommitInfo, error) {
	if opts.Store == nil {
		return nil, errors.New("import: no import store")
	}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxImportSize
	}
	imp, err := readImport(ctx, did, r, limit)
	if err != nil {
		return nil, err
	}
	if err := imp.verifySignature(opts.TrustedKeys); err != nil {
		return nil, err
	}
	key, err := e.keys.SigningKey(ctx, did)
	if err != nil {
		return nil, fmt.Errorf("import %s: signing key: %w", did, err)
	}
	return e.landImport(ctx, imp, key, opts.Store)
}

// landImport signs the new commit and lands the import under the repo's
// lock, rebuilding it if another writer moved the root meanwhile.
func (e *Engine) landImport(ctx context.Context, imp *imported, key atcrypto.PrivateKey, st store.Imports) (*CommitInfo, error) {
	s := e.state(imp.did)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.invalidate()
	for attempt := 1; ; attempt++ {
		ri, info, err := e.buildImport(ctx, imp, key)
		if err != nil {
			return nil, err
		}
		seq, err := st.ImportRepo(ctx, ri)
		if err == nil {
			info.Seq = seq
			return info, nil
		}
		if !errors.Is(err, store.ErrRootMismatch) || attempt == maxAttempts {
			return nil, fmt.Errorf("import %s: %w", imp.did, err)
		}
	}
}

// buildImport makes the store.RepoImport on top of the repo's current root.
func (e *Engine) buildImport(ctx context.Context, imp *imported, key atcrypto.PrivateKey) (store.RepoImport, *CommitInfo, error) {
	ri := store.RepoImport{DID: imp.did, Records: imp.records}
	prevRev := imp.commit.Rev
	cur, err := e.st.GetRepoRoot(ctx, imp.did)
	switch {
	case err == nil:
		ri.Prev = &cur.Commit
		prevRev = max(prevRev, cur.Rev)
	case !errors.Is(err, store.ErrNotFound):
		return ri, nil, fmt.Errorf("import %s: %w", imp.did, err)
	}
	rev := e.nextRev(prevRev)
	commitCID, commitBlock, err := signCommit(imp.did, imp.commit.Data, rev, key)
	if err != nil {
		return ri, nil, fmt.Errorf("import %s: %w", imp.did, err)
	}
	ri.Root = store.RepoRoot{DID: imp.did, Commit: commitCID, Rev: rev, Data: imp.commit.Data}
	ri.Blocks = append([]store.Block{{CID: commitCID, Data: commitBlock}}, imp.blocks...)
	if ri.Event, err = SyncEvent(e.now(), ri.Root, commitBlock); err != nil {
		return ri, nil, fmt.Errorf("import %s: %w", imp.did, err)
	}
	return ri, &CommitInfo{CID: commitCID, Rev: rev}, nil
}

// SyncEvent builds the #sync event announcing root as the repo's current
// commit: a CAR holding only the commit block. Relays resynchronise from it
// (after an import, or when an account is activated).
func SyncEvent(now time.Time, root store.RepoRoot, commitBlock []byte) (*store.Event, error) {
	carBytes, err := diffCAR(root, []store.Block{{CID: root.Commit, Data: commitBlock}})
	if err != nil {
		return nil, err
	}
	body := &firehose.Sync{Did: root.DID, Rev: root.Rev, Blocks: carBytes, Time: firehose.FormatTime(now)}
	return &store.Event{DID: root.DID, Type: firehose.TypeSync, Time: now, Encode: func(seq int64) ([]byte, error) {
		body.Seq = seq
		return firehose.EncodeFrame(firehose.TypeSync, body)
	}}, nil
}
