package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// ApplyCommits lands commits in one transaction; see
// [store.Repos.ApplyCommits]. A commit whose Prev is stale fails alone with
// store.ErrRootMismatch; any other failure (including an event's Encode
// failing) rolls the whole transaction back and is returned as the error.
func (s *Store) ApplyCommits(ctx context.Context, commits []store.Commit) ([]store.CommitResult, error) {
	if len(commits) == 0 {
		return nil, nil
	}
	var results []store.CommitResult
	err := s.inTx(ctx, func(w *writeTx) error {
		results = make([]store.CommitResult, len(commits))
		for i := range commits {
			seq, err := w.applyCommit(commits[i])
			switch {
			case errors.Is(err, store.ErrRootMismatch):
				results[i].Err = err
			case err != nil:
				return fmt.Errorf("commit %d of %d (%s): %w", i+1, len(commits), commits[i].DID, err)
			default:
				results[i].Seq = seq
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: apply commits: %w", err)
	}
	return results, nil
}

// applyCommit lands one commit in the transaction: root compare-and-swap,
// new blocks (stamped with the commit's rev), record index changes, released
// blocks, then the event. It returns the event's seq (0 when the commit has
// none). The compare-and-swap comes first, so a commit that fails it
// (ErrRootMismatch) has written nothing and the transaction goes on with the
// next commit with no savepoint to roll back to; any other error fails the
// whole transaction.
func (w *writeTx) applyCommit(c store.Commit) (int64, error) {
	if err := w.swapRoot(c); err != nil {
		return 0, err
	}
	for _, b := range c.Blocks {
		if _, err := w.execStmt(w.st.insertBlock, c.DID, cidBytes(b.CID), b.Data, c.Root.Rev); err != nil {
			return 0, fmt.Errorf("insert block %s: %w", b.CID, err)
		}
	}
	for _, rc := range c.Records {
		if err := w.applyRecordChange(c.DID, c.Root.Rev, rc); err != nil {
			return 0, err
		}
	}
	for _, r := range c.Released {
		if _, err := w.execStmt(w.st.releaseBlock, c.DID, cidBytes(r)); err != nil {
			return 0, fmt.Errorf("release block %s: %w", r, err)
		}
	}
	if c.Event == nil {
		return 0, nil
	}
	return w.appendEvent(*c.Event)
}

// swapRoot moves the repo root from c.Prev to c.Root, or creates the repo
// for a genesis commit (nil Prev). It runs first, so a mismatch is found
// before the commit wrote anything.
func (w *writeTx) swapRoot(c store.Commit) error {
	root := c.Root
	var (
		res  sql.Result
		err  error
		want = "no repo"
	)
	if c.Prev == nil {
		res, err = w.execStmt(w.st.insertRepo, c.DID, cidBytes(root.Commit), root.Rev, cidBytes(root.Data))
	} else {
		want = "root " + c.Prev.String()
		res, err = w.execStmt(w.st.updateRepo, cidBytes(root.Commit), root.Rev, cidBytes(root.Data),
			c.DID, cidBytes(*c.Prev))
	}
	err = oneRow(res, err)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: repo %s: expected %s", store.ErrRootMismatch, c.DID, want)
	}
	if err != nil {
		return fmt.Errorf("swap root: %w", err)
	}
	return nil
}

// applyRecordChange upserts or deletes one record index row and replaces
// the record's blob references.
func (w *writeTx) applyRecordChange(did, rev string, rc store.RecordChange) error {
	key := rc.Collection + "/" + rc.RKey
	if _, err := w.execStmt(w.st.deleteRecordBlobs, did, rc.Collection, rc.RKey); err != nil {
		return fmt.Errorf("record %s: clear blobs: %w", key, err)
	}
	if rc.CID == nil {
		if _, err := w.execStmt(w.st.deleteRecord, did, rc.Collection, rc.RKey); err != nil {
			return fmt.Errorf("record %s: delete: %w", key, err)
		}
		return nil
	}
	if _, err := w.execStmt(w.st.upsertRecord, did, rc.Collection, rc.RKey, cidBytes(*rc.CID), rev); err != nil {
		return fmt.Errorf("record %s: upsert: %w", key, err)
	}
	for _, b := range rc.Blobs {
		if _, err := w.execStmt(w.st.insertRecordBlob, did, rc.Collection, rc.RKey, cidBytes(b), rev); err != nil {
			return fmt.Errorf("record %s: blob %s: %w", key, b, err)
		}
	}
	return nil
}
