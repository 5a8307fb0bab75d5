package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// ImportRepo replaces a repo's blocks, record index, blob references and
// root in one transaction; see [store.Imports.ImportRepo]. Every block is
// stamped with the import's rev. The rows go in through the writer's
// prepared statements in one transaction for the whole repo, so a
// 100,000-record import is one commit, not 100,000 (BenchmarkImportRepo).
func (s *Store) ImportRepo(ctx context.Context, imp store.RepoImport) (int64, error) {
	if err := checkImport(imp); err != nil {
		return 0, fmt.Errorf("sqlite: import repo %s: %w", imp.DID, err)
	}
	var seq int64
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		seq, err = w.importRepo(imp)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: import repo %s: %w", imp.DID, err)
	}
	return seq, nil
}

// checkImport refuses an import that could only land a broken repo.
func checkImport(imp store.RepoImport) error {
	if imp.Root.DID != imp.DID {
		return fmt.Errorf("root is for %q", imp.Root.DID)
	}
	for _, rc := range imp.Records {
		if rc.CID == nil {
			return fmt.Errorf("record %s/%s has no CID", rc.Collection, rc.RKey)
		}
	}
	return nil
}

// importRepo moves the root (the compare-and-swap), empties the repo's
// blocks, records and blob references, writes the imported ones and appends
// the event.
func (w *writeTx) importRepo(imp store.RepoImport) (int64, error) {
	if err := w.swapImportRoot(imp); err != nil {
		return 0, err
	}
	for _, table := range []string{"blocks", "records", "record_blobs"} {
		if _, err := w.exec(`DELETE FROM `+table+` WHERE did = ?`, imp.DID); err != nil {
			return 0, fmt.Errorf("clear %s: %w", table, err)
		}
	}
	rev := imp.Root.Rev
	for _, b := range imp.Blocks {
		if _, err := w.execStmt(w.st.insertBlock, imp.DID, cidBytes(b.CID), b.Data, rev); err != nil {
			return 0, fmt.Errorf("insert block %s: %w", b.CID, err)
		}
	}
	if err := w.insertRecords(imp.DID, rev, imp.Records); err != nil {
		return 0, err
	}
	if imp.Event == nil {
		return 0, nil
	}
	return w.appendEvent(*imp.Event)
}

// insertRecords writes the index rows and blob references of records into
// a repo whose index is empty.
func (w *writeTx) insertRecords(did, rev string, records []store.RecordChange) error {
	for _, rc := range records {
		if _, err := w.execStmt(w.st.upsertRecord, did, rc.Collection, rc.RKey, cidBytes(*rc.CID), rev); err != nil {
			return fmt.Errorf("record %s/%s: %w", rc.Collection, rc.RKey, err)
		}
		for _, b := range rc.Blobs {
			if _, err := w.execStmt(w.st.insertRecordBlob, did, rc.Collection, rc.RKey, cidBytes(b), rev); err != nil {
				return fmt.Errorf("record %s/%s: blob %s: %w", rc.Collection, rc.RKey, b, err)
			}
		}
	}
	return nil
}

// swapImportRoot sets the repo's root to the import's if the repo is where
// the import expects it: at Prev, or absent when Prev is nil (or present
// with no records, with ReplaceEmpty). Otherwise it is
// store.ErrRootMismatch, before anything was written.
func (w *writeTx) swapImportRoot(imp store.RepoImport) error {
	root := imp.Root
	var (
		res  sql.Result
		err  error
		want string
	)
	switch {
	case imp.Prev != nil:
		want = "root " + imp.Prev.String()
		res, err = w.execStmt(w.st.updateRepo, cidBytes(root.Commit), root.Rev, cidBytes(root.Data),
			imp.DID, cidBytes(*imp.Prev))
	case imp.ReplaceEmpty:
		want = "no repo, or one without records"
		res, err = w.exec(`INSERT INTO repos (did, commit_cid, rev, data_cid) VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT (did) DO UPDATE SET commit_cid = ?2, rev = ?3, data_cid = ?4
			WHERE NOT EXISTS (SELECT 1 FROM records WHERE did = ?1)`,
			imp.DID, cidBytes(root.Commit), root.Rev, cidBytes(root.Data))
	default:
		want = "no repo"
		res, err = w.execStmt(w.st.insertRepo, imp.DID, cidBytes(root.Commit), root.Rev, cidBytes(root.Data))
	}
	err = oneRow(res, err)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: repo %s: expected %s", store.ErrRootMismatch, imp.DID, want)
	}
	if err != nil {
		return fmt.Errorf("swap root: %w", err)
	}
	return nil
}

// ForEachBlockSince calls fn for every block of a repo first written by a
// commit with a rev greater than sinceRev (every block when it is ""). Like
// ForEachBlock, it reads one consistent snapshot.
func (s *Store) ForEachBlockSince(ctx context.Context, did, sinceRev string, fn func(c cid.Cid, data []byte) error) error {
	if sinceRev == "" {
		return s.ForEachBlock(ctx, did, fn)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT cid, data FROM blocks WHERE did = ? AND rev > ?`, did, sinceRev)
	if err != nil {
		return fmt.Errorf("sqlite: blocks of %s since %s: %w", did, sinceRev, err)
	}
	if err := forEachBlockRow(rows, fn); err != nil {
		return fmt.Errorf("sqlite: blocks of %s since %s: %w", did, sinceRev, err)
	}
	return nil
}
