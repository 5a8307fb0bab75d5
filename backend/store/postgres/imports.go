package postgres

import (
	"context"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearthpds/hearth/backend/store"
)

// ImportRepo replaces a repo's blocks, record index, blob references and
// root in one transaction; see [store.Imports.ImportRepo]. Every block is
// stamped with the import's rev. Like ApplyCommits, it locks the repos row
// (or inserts it, for a repo that does not exist) and decides the
// compare-and-swap before it writes anything; the rows then go in as a few
// array statements, so a large repo costs a few round trips and one commit.
func (s *Store) ImportRepo(ctx context.Context, imp store.RepoImport) (int64, error) {
	if err := checkImport(imp); err != nil {
		return 0, fmt.Errorf("postgres: import repo %s: %w", imp.DID, err)
	}
	var seq int64
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var st importState
		st.queue(tx, imp)
		if err := tx.flush(ctx); err != nil {
			return fmt.Errorf("lock repo: %w", err)
		}
		if !st.lands(imp) {
			return fmt.Errorf("%w: repo %s: expected %s", store.ErrRootMismatch, imp.DID, st.want(imp))
		}
		queueImport(tx, imp)
		if imp.Event != nil {
			tx.addEvent(*imp.Event, &seq)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: import repo %s: %w", imp.DID, err)
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

// importState is what an import's compare-and-swap is decided on.
type importState struct {
	exists     bool    // the repos row exists and is locked
	root       cid.Cid // its commit
	hasRecords bool    // the existing repo has records
	inserted   bool    // the repo did not exist and this transaction created it
}

// queue queues the lock of the repos row, the records check (a later
// statement, so it reads after the lock) and, for an import without Prev,
// the creation of the row.
func (st *importState) queue(tx *writeTx, imp store.RepoImport) {
	tx.queueRows(`SELECT commit_cid FROM repos WHERE did = $1 FOR UPDATE`, func(rows pgx.Rows) error {
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			c, err := parseCID(raw)
			st.exists, st.root = true, c
			if err != nil {
				return err
			}
		}
		return rows.Err()
	}, imp.DID)
	tx.queueRow(`SELECT EXISTS (SELECT 1 FROM records WHERE did = $1)`,
		func(row pgx.Row) error { return row.Scan(&st.hasRecords) }, imp.DID)
	if imp.Prev == nil {
		r := imp.Root
		tx.queueExec(`INSERT INTO repos (did, commit_cid, rev, data_cid) VALUES ($1, $2, $3, $4)
			ON CONFLICT (did) DO NOTHING`,
			func(tag pgconn.CommandTag) error {
				st.inserted = tag.RowsAffected() == 1
				return nil
			},
			imp.DID, r.Commit.Bytes(), r.Rev, r.Data.Bytes())
	}
}

// lands reports whether the import applies to the repo as found.
func (st *importState) lands(imp store.RepoImport) bool {
	switch {
	case imp.Prev != nil:
		return st.exists && st.root.Equals(*imp.Prev)
	case st.inserted:
		return true
	default:
		return imp.ReplaceEmpty && st.exists && !st.hasRecords
	}
}

// want describes what the import expected, for ErrRootMismatch.
func (st *importState) want(imp store.RepoImport) string {
	switch {
	case imp.Prev != nil:
		return "root " + imp.Prev.String()
	case imp.ReplaceEmpty:
		return "no repo, or one without records"
	default:
		return "no repo"
	}
}

// queueImport queues the replacement of the repo's content and root.
func queueImport(tx *writeTx, imp store.RepoImport) {
	for _, table := range []string{"blocks", "records", "record_blobs"} {
		tx.queue(`DELETE FROM `+table+` WHERE did = $1`, imp.DID)
	}
	rev := imp.Root.Rev
	queueBlocks(tx, imp.DID, rev, imp.Blocks)
	newRecordWrites(imp.Records).queuePuts(tx, imp.DID, rev)
	tx.queue(`UPDATE repos SET commit_cid = $2, rev = $3, data_cid = $4 WHERE did = $1`,
		imp.DID, imp.Root.Commit.Bytes(), rev, imp.Root.Data.Bytes())
}

// ForEachBlockSince calls fn for every block of a repo first written by a
// commit with a rev greater than sinceRev (every block when it is ""), from
// one statement (one snapshot).
func (s *Store) ForEachBlockSince(ctx context.Context, did, sinceRev string, fn func(c cid.Cid, data []byte) error) error {
	if sinceRev == "" {
		return s.ForEachBlock(ctx, did, fn)
	}
	rows, err := s.pool.Query(ctx, `SELECT cid, data FROM blocks WHERE did = $1 AND rev > $2`, did, sinceRev)
	if err == nil {
		err = forEachBlockRow(rows, fn)
	}
	if err != nil {
		return fmt.Errorf("postgres: blocks of %s since %s: %w", did, sinceRev, err)
	}
	return nil
}
