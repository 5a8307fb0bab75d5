package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// PutBlob records an uploaded blob; a re-upload refreshes its metadata and
// CreatedAt.
func (s *Store) PutBlob(ctx context.Context, b store.Blob) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO blobs (did, cid, mime_type, size, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (did, cid) DO UPDATE SET
		mime_type = excluded.mime_type, size = excluded.size, created_at = excluded.created_at`,
		b.DID, cidBytes(b.CID), b.MimeType, b.Size, micros(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put blob %s of %s: %w", b.CID, b.DID, mapErr(err))
	}
	return nil
}

const blobCols = `did, cid, mime_type, size, created_at`

func scanBlob(row scanner) (store.Blob, error) {
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
	row := s.reader.QueryRowContext(ctx, `SELECT `+blobCols+` FROM blobs WHERE did = ? AND cid = ?`, did, cidBytes(c))
	b, err := scanBlob(row)
	if err != nil {
		return store.Blob{}, fmt.Errorf("sqlite: get blob %s of %s: %w", c, did, err)
	}
	return b, nil
}

// ListBlobs pages the CIDs of an account's referenced blobs by CID; with
// sinceRev, only those whose earliest current reference has a greater rev.
func (s *Store) ListBlobs(ctx context.Context, did, sinceRev, cursor string, limit int) ([]cid.Cid, error) {
	after, err := cursorCID(cursor)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list blobs of %s: %w", did, err)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT blob_cid FROM record_blobs
		WHERE did = ? AND blob_cid > ?
		GROUP BY blob_cid HAVING min(rev) > ?
		ORDER BY blob_cid LIMIT ?`, did, after, sinceRev, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list blobs of %s: %w", did, err)
	}
	cids, err := collect(rows, func(row scanner) (cid.Cid, error) {
		var raw []byte
		if err := row.Scan(&raw); err != nil {
			return cid.Undef, err
		}
		return parseCID(raw)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list blobs of %s: %w", did, err)
	}
	return cids, nil
}

// ListUnreferencedBlobs returns blobs no record references that were
// uploaded before olderThan, oldest first.
func (s *Store) ListUnreferencedBlobs(ctx context.Context, olderThan time.Time, limit int) ([]store.Blob, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+blobCols+` FROM blobs b
		WHERE created_at < ? AND NOT EXISTS (
			SELECT 1 FROM record_blobs rb WHERE rb.did = b.did AND rb.blob_cid = b.cid)
		ORDER BY created_at, did, cid LIMIT ?`, micros(olderThan), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list unreferenced blobs: %w", err)
	}
	blobs, err := collect(rows, scanBlob)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list unreferenced blobs: %w", err)
	}
	return blobs, nil
}

// DeleteBlob removes a blob's metadata unless a record references it.
func (s *Store) DeleteBlob(ctx context.Context, did string, c cid.Cid) (bool, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM blobs WHERE did = ?1 AND cid = ?2
		AND NOT EXISTS (SELECT 1 FROM record_blobs WHERE did = ?1 AND blob_cid = ?2)`, did, cidBytes(c))
	if err != nil {
		return false, fmt.Errorf("sqlite: delete blob %s of %s: %w", c, did, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: delete blob %s of %s: %w", c, did, err)
	}
	return n > 0, nil
}

// ListMissingBlobs pages, by CID, the blobs records reference that were
// never uploaded, each with one of the records referencing it.
func (s *Store) ListMissingBlobs(ctx context.Context, did, cursor string, limit int) ([]store.MissingBlob, error) {
	after, err := cursorCID(cursor)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list missing blobs of %s: %w", did, err)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT rb.blob_cid, min(rb.collection || '/' || rb.rkey)
		FROM record_blobs rb
		WHERE rb.did = ? AND rb.blob_cid > ? AND NOT EXISTS (
			SELECT 1 FROM blobs b WHERE b.did = rb.did AND b.cid = rb.blob_cid)
		GROUP BY rb.blob_cid ORDER BY rb.blob_cid LIMIT ?`, did, after, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list missing blobs of %s: %w", did, err)
	}
	missing, err := collect(rows, func(row scanner) (store.MissingBlob, error) {
		var (
			raw  []byte
			path string
			m    store.MissingBlob
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
		return nil, fmt.Errorf("sqlite: list missing blobs of %s: %w", did, err)
	}
	return missing, nil
}
