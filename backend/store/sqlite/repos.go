package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

func scanRepoRoot(row scanner) (store.RepoRoot, error) {
	var (
		r            store.RepoRoot
		commit, data []byte
		err          error
	)
	if err = row.Scan(&r.DID, &commit, &r.Rev, &data); err != nil {
		return store.RepoRoot{}, mapErr(err)
	}
	if r.Commit, err = parseCID(commit); err != nil {
		return store.RepoRoot{}, err
	}
	if r.Data, err = parseCID(data); err != nil {
		return store.RepoRoot{}, err
	}
	return r, nil
}

// GetRepoRoot returns the current root of a repo.
func (s *Store) GetRepoRoot(ctx context.Context, did string) (store.RepoRoot, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT did, commit_cid, rev, data_cid FROM repos WHERE did = ?`, did)
	r, err := scanRepoRoot(row)
	if err != nil {
		return store.RepoRoot{}, fmt.Errorf("sqlite: get repo root of %s: %w", did, err)
	}
	return r, nil
}

// ListRepoRoots pages repo roots by DID after cursor.
func (s *Store) ListRepoRoots(ctx context.Context, cursor string, limit int) ([]store.RepoRoot, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT did, commit_cid, rev, data_cid FROM repos
		WHERE did > ? ORDER BY did LIMIT ?`, cursor, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list repo roots: %w", err)
	}
	roots, err := collect(rows, scanRepoRoot)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list repo roots: %w", err)
	}
	return roots, nil
}

// GetBlock returns one block of a repo.
func (s *Store) GetBlock(ctx context.Context, did string, c cid.Cid) ([]byte, error) {
	var data []byte
	if err := s.rs.getBlock.QueryRowContext(ctx, did, cidBytes(c)).Scan(&data); err != nil {
		return nil, fmt.Errorf("sqlite: get block %s of %s: %w", c, did, mapErr(err))
	}
	return data, nil
}

// getBlocksChunk bounds the number of CIDs in one IN (...) query.
const getBlocksChunk = 256

// GetBlocks returns the blocks among cids that the repo holds.
func (s *Store) GetBlocks(ctx context.Context, did string, cids []cid.Cid) (map[cid.Cid][]byte, error) {
	out := make(map[cid.Cid][]byte, len(cids))
	for start := 0; start < len(cids); start += getBlocksChunk {
		chunk := cids[start:min(start+getBlocksChunk, len(cids))]
		if err := s.getBlocks(ctx, did, chunk, out); err != nil {
			return nil, fmt.Errorf("sqlite: get blocks of %s: %w", did, err)
		}
	}
	return out, nil
}

func (s *Store) getBlocks(ctx context.Context, did string, cids []cid.Cid, out map[cid.Cid][]byte) error {
	args := make([]any, 0, len(cids)+1)
	args = append(args, did)
	for _, c := range cids {
		args = append(args, cidBytes(c))
	}
	marks := strings.Repeat(",?", len(cids))[1:]
	rows, err := s.reader.QueryContext(ctx, `SELECT cid, data FROM blocks WHERE did = ? AND cid IN (`+marks+`)`, args...)
	if err != nil {
		return err
	}
	return forEachBlockRow(rows, func(c cid.Cid, data []byte) error {
		out[c] = data
		return nil
	})
}

// CountBlocks returns how many blocks a repo holds.
func (s *Store) CountBlocks(ctx context.Context, did string) (int64, error) {
	var n int64
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM blocks WHERE did = ?`, did).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count blocks of %s: %w", did, err)
	}
	return n, nil
}

// ForEachBlock calls fn for every block of a repo. The rows come from one
// query, so they are one consistent snapshot of the repo; a long export
// keeps that snapshot open, which holds back WAL checkpoints until it ends.
func (s *Store) ForEachBlock(ctx context.Context, did string, fn func(c cid.Cid, data []byte) error) error {
	rows, err := s.reader.QueryContext(ctx, `SELECT cid, data FROM blocks WHERE did = ?`, did)
	if err != nil {
		return fmt.Errorf("sqlite: blocks of %s: %w", did, err)
	}
	if err := forEachBlockRow(rows, fn); err != nil {
		return fmt.Errorf("sqlite: blocks of %s: %w", did, err)
	}
	return nil
}

// forEachBlockRow calls fn for each (cid, data) row and closes rows.
func forEachBlockRow(rows *sql.Rows, fn func(c cid.Cid, data []byte) error) error {
	defer rows.Close()
	for rows.Next() {
		var raw, data []byte
		if err := rows.Scan(&raw, &data); err != nil {
			return err
		}
		c, err := parseCID(raw)
		if err != nil {
			return err
		}
		if err := fn(c, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// GetRecord returns a record's index entry with its block.
func (s *Store) GetRecord(ctx context.Context, did, collection, rkey string) (store.Record, error) {
	rec := store.Record{Collection: collection, RKey: rkey}
	var raw []byte
	err := s.rs.getRecord.QueryRowContext(ctx, did, collection, rkey).Scan(&raw, &rec.Rev, &rec.Value)
	if err == nil {
		rec.CID, err = parseCID(raw)
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("sqlite: get record %s/%s/%s: %w", did, collection, rkey, mapErr(err))
	}
	return rec, nil
}

// ListRecords pages one collection by rkey.
func (s *Store) ListRecords(ctx context.Context, did, collection string, opts store.ListRecordsOptions) ([]store.Record, error) {
	cmp, order := ">", "ASC"
	if opts.Reverse {
		cmp, order = "<", "DESC"
	}
	cond := ""
	args := []any{did, collection}
	if opts.Cursor != "" {
		cond = ` AND r.rkey ` + cmp + ` ?`
		args = append(args, opts.Cursor)
	}
	args = append(args, sqlLimit(opts.Limit))
	rows, err := s.reader.QueryContext(ctx, `SELECT r.collection, r.rkey, r.cid, r.rev, b.data FROM records r
		JOIN blocks b ON b.did = r.did AND b.cid = r.cid
		WHERE r.did = ? AND r.collection = ?`+cond+`
		ORDER BY r.rkey `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list records %s/%s: %w", did, collection, err)
	}
	recs, err := collect(rows, scanRecord)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list records %s/%s: %w", did, collection, err)
	}
	return recs, nil
}

func scanRecord(row scanner) (store.Record, error) {
	var (
		rec store.Record
		raw []byte
		err error
	)
	if err = row.Scan(&rec.Collection, &rec.RKey, &raw, &rec.Rev, &rec.Value); err != nil {
		return store.Record{}, err
	}
	rec.CID, err = parseCID(raw)
	return rec, err
}

// ListCollections lists a repo's collections with their record counts.
func (s *Store) ListCollections(ctx context.Context, did string) ([]store.Collection, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT collection, count(*) FROM records
		WHERE did = ? GROUP BY collection ORDER BY collection`, did)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list collections of %s: %w", did, err)
	}
	cols, err := collect(rows, func(row scanner) (store.Collection, error) {
		var c store.Collection
		return c, row.Scan(&c.Name, &c.Count)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list collections of %s: %w", did, err)
	}
	return cols, nil
}
