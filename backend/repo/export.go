package repo

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// ExportCAR streams the repo's current tree as a CARv1 rooted at its
// commit: the commit block, then the MST nodes level by level, then the
// records. Only live blocks are written: it walks the tree rather than
// dumping the block table. It reads committed state from the store, not the
// engine's cache, so it never exports a commit that is not durable.
func (e *Engine) ExportCAR(ctx context.Context, did string, w io.Writer) (store.RepoRoot, error) {
	root, err := e.st.GetRepoRoot(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return root, ErrRepoNotFound
	}
	if err != nil {
		return root, fmt.Errorf("export %s: %w", did, err)
	}
	commitBlock, err := e.st.GetBlock(ctx, did, root.Commit)
	if err != nil {
		return root, fmt.Errorf("export %s: commit block: %w", did, err)
	}
	cw, err := newCARWriter(w, root.Commit)
	if err != nil {
		return root, err
	}
	if err := cw.block(root.Commit, commitBlock); err != nil {
		return root, err
	}
	records, err := e.exportNodes(ctx, did, root.Data, cw)
	if err != nil {
		return root, err
	}
	return root, e.exportRecords(ctx, did, records, cw)
}

// exportNodes writes the MST nodes level by level and returns the record
// CIDs they point at.
func (e *Engine) exportNodes(ctx context.Context, did string, data cid.Cid, cw *carWriter) ([]cid.Cid, error) {
	var records []cid.Cid
	level := []cid.Cid{data}
	for len(level) > 0 {
		var next []cid.Cid
		for start := 0; start < len(level); start += fetchBatch {
			batch := level[start:min(start+fetchBatch, len(level))]
			found, err := e.st.GetBlocks(ctx, did, batch)
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", did, err)
			}
			for _, c := range batch {
				data, ok := found[c]
				if !ok {
					return nil, fmt.Errorf("export %s: MST node %s is missing (the repo changed during export; retry)", did, c)
				}
				children, values, err := nodeChildren(data)
				if err != nil {
					return nil, fmt.Errorf("export %s: %w", did, err)
				}
				if err := cw.block(c, data); err != nil {
					return nil, err
				}
				next = append(next, children...)
				records = append(records, values...)
			}
		}
		level = next
	}
	return records, nil
}

// exportRecords writes each distinct record block once.
func (e *Engine) exportRecords(ctx context.Context, did string, records []cid.Cid, cw *carWriter) error {
	seen := make(map[cid.Cid]bool, len(records))
	uniq := records[:0:0]
	for _, c := range records {
		if !seen[c] {
			seen[c] = true
			uniq = append(uniq, c)
		}
	}
	for start := 0; start < len(uniq); start += fetchBatch {
		batch := uniq[start:min(start+fetchBatch, len(uniq))]
		found, err := e.st.GetBlocks(ctx, did, batch)
		if err != nil {
			return fmt.Errorf("export %s: %w", did, err)
		}
		for _, c := range batch {
			data, ok := found[c]
			if !ok {
				return fmt.Errorf("export %s: record %s is missing (the repo changed during export; retry)", did, c)
			}
			if err := cw.block(c, data); err != nil {
				return err
			}
		}
	}
	return nil
}
