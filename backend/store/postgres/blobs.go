package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearthpds/hearth/backend/store"
)

// PutBlob records an uploaded blob; a re-upload refreshes its metadata and
// CreatedAt.
func (s *Store) PutBlob(ctx context.Context, b store.Blob) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO blobs (did, cid, mime_type, size, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (did, cid) DO UPDATE SET
		mime_type = excluded.mime_type, size = excluded.size, created_at = excluded.created_at`,
		b.DID, b.CID.Bytes(), b.MimeType, b.Size, micros(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put blob %s of %s: %w", b.CID, b.DID, mapErr(err))
	}
	return nil
}

const blobCols = `did, cid, mime_type, size, created_at`

func scanBlob(row pgx.Row) (store.Blob, error) {
	var (
		b       store.Blob
		raw     []byte
		created int64
		err     error
	)
	if err = row.Scan(&b.DID, &raw, &b.MimeType, &b.Size, &created); err != nil {
		return store.Blob{}, mapErr(err)
	}
	b.CreatedAt = fromMicros(created)
	b.CID, err = parseCID(raw)
	return b, err
}

// GetBlob returns a blob's metadata.
func (s *Store) GetBlob(ctx context.Context, did string, c cid.Cid) (store.Blob, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+blobCols+` FROM blobs WHERE did = $1 AND cid = $2`, did, c.Bytes())
	b, err := scanBlob(row)
	if err != nil {
		return store.Blob{}, fmt.Errorf("postgres: get blob %s of %s: %w", c, did, err)
	}
	return b, nil
}

// scanCID reads a one-column row holding a binary CID.
func scanCID(row pgx.Row) (cid.Cid, error) {
	var raw []byte
	if err := row.Scan(&raw); err != nil {
		return cid.Undef, err
	}
	return parseCID(raw)
}

// ListBlobs pages the CIDs of an account's referenced blobs by CID; with
// sinceRev, only those whose earliest current reference has a greater rev.
func (s *Store) ListBlobs(ctx context.Context, did, sinceRev, cursor string, limit int) ([]cid.Cid, error) {
	after, err := cursorCID(cursor)
	if err != nil {
		return nil, fmt.Errorf("postgres: list blobs of %s: %w", did, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT blob_cid FROM record_blobs
		WHERE did = $1 AND blob_cid > $2
		GROUP BY blob_cid HAVING min(rev) > $3
		ORDER BY blob_cid LIMIT $4`, did, after, sinceRev, sqlLimit(limit))
	cids, err := collect(rows, err, scanCID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list blobs of %s: %w", did, err)
	}
	return cids, nil
}

// ListUnreferencedBlobs returns blobs no record references that were
// uploaded before olderThan, oldest first.
func (s *Store) ListUnreferencedBlobs(ctx context.Context, olderThan time.Time, limit int) ([]store.Blob, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+blobCols+` FROM blobs b
		WHERE created_at < $1 AND NOT EXISTS (
			SELECT 1 FROM record_blobs rb WHERE rb.did = b.did AND rb.blob_cid = b.cid)
		ORDER BY created_at, did, cid LIMIT $2`, micros(olderThan), sqlLimit(limit))
	blobs, err := collect(rows, err, scanBlob)
	if err != nil {
		return nil, fmt.Errorf("postgres: list unreferenced blobs: %w", err)
	}
	return blobs, nil
}

// DeleteBlob removes a blob's metadata unless a record references it. It
// locks the blob's row first and checks for references in a later statement
// (a fresh snapshot), while ApplyCommits key-share locks the blobs its
// records start to reference: a reference committed before the check is
// seen, and one in flight makes the check wait for it.
func (s *Store) DeleteBlob(ctx context.Context, did string, c cid.Cid) (bool, error) {
	var deleted bool
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queue(`SELECT 1 FROM blobs WHERE did = $1 AND cid = $2 FOR UPDATE`, did, c.Bytes())
		tx.queueExec(`DELETE FROM blobs WHERE did = $1 AND cid = $2
			AND NOT EXISTS (SELECT 1 FROM record_blobs WHERE did = $1 AND blob_cid = $2)`,
			func(tag pgconn.CommandTag) error {
				deleted = tag.RowsAffected() > 0
				return nil
			}, did, c.Bytes())
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: delete blob %s of %s: %w", c, did, err)
	}
	return deleted, nil
}

// ListMissingBlobs pages, by CID, the blobs records reference that were
// never uploaded, each with one of the records referencing it.
func (s *Store) ListMissingBlobs(ctx context.Context, did, cursor string, limit int) ([]store.MissingBlob, error) {
	after, err := cursorCID(cursor)
	if err != nil {
		return nil, fmt.Errorf("postgres: list missing blobs of %s: %w", did, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT rb.blob_cid, min(rb.collection || '/' || rb.rkey)
		FROM record_blobs rb
		WHERE rb.did = $1 AND rb.blob_cid > $2 AND NOT EXISTS (
			SELECT 1 FROM blobs b WHERE b.did = rb.did AND b.cid = rb.blob_cid)
		GROUP BY rb.blob_cid ORDER BY rb.blob_cid LIMIT $3`, did, after, sqlLimit(limit))
	missing, err := collect(rows, err, func(row pgx.Row) (store.MissingBlob, error) {
		var (
			m    store.MissingBlob
			path string
			raw  []byte
			err  error
		)
		if err = row.Scan(&raw, &path); err != nil {
			return m, err
		}
		m.RecordURI = "at://" + did + "/" + path
		m.CID, err = parseCID(raw)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list missing blobs of %s: %w", did, err)
	}
	return missing, nil
}
