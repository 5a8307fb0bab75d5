// Package adapter implements the plugin host's Records, Blobs and Repos
// over the server's store, blob service and repo engine. It lives apart
// from package plugin so that backend/repo and backend/xrpc can import the
// host without an import cycle.
package adapter

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/ipfs/go-cid"
)

// RecordStore is the part of store.Repos the adapter reads.
type RecordStore interface {
	GetRecord(ctx context.Context, did, collection, rkey string) (store.Record, error)
	ListRecords(ctx context.Context, did, collection string, opts store.ListRecordsOptions) ([]store.Record, error)
}

// Records serves record_get and record_list from the store. (Private
// records are not in the public record index, so they are never returned.)
type Records struct{ Store RecordStore }

var _ plugin.Records = Records{}

func entry(r store.Record) plugin.RecordEntry {
	return plugin.RecordEntry{Collection: r.Collection, RKey: r.RKey, CID: r.CID.String(), CBOR: r.Value}
}

// GetRecord implements plugin.Records.
func (a Records) GetRecord(ctx context.Context, did, collection, rkey string) (plugin.RecordEntry, error) {
	r, err := a.Store.GetRecord(ctx, did, collection, rkey)
	if errors.Is(err, store.ErrNotFound) {
		return plugin.RecordEntry{}, plugin.ErrNotFound
	}
	if err != nil {
		return plugin.RecordEntry{}, fmt.Errorf("plugin record_get: %w", err)
	}
	return entry(r), nil
}

// ListRecords implements plugin.Records.
func (a Records) ListRecords(ctx context.Context, did, collection, cursor string, limit int) ([]plugin.RecordEntry, error) {
	rs, err := a.Store.ListRecords(ctx, did, collection, store.ListRecordsOptions{Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, fmt.Errorf("plugin record_list: %w", err)
	}
	out := make([]plugin.RecordEntry, len(rs))
	for i, r := range rs {
		out[i] = entry(r)
	}
	return out, nil
}

// BlobOpener is the part of blobs.Service the adapter reads.
type BlobOpener interface {
	Open(ctx context.Context, did string, c cid.Cid) (store.Blob, blobs.File, error)
}

// Blobs serves blob_read by range, so a blob larger than the plugin's
// memory is read in chunks.
type Blobs struct{ Service BlobOpener }

var _ plugin.Blobs = Blobs{}

// ReadBlob implements plugin.Blobs.
func (a Blobs) ReadBlob(ctx context.Context, did, c string, offset, length int64) ([]byte, error) {
	id, err := cid.Decode(c)
	if err != nil {
		return nil, fmt.Errorf("plugin blob_read: bad cid: %w", err)
	}
	_, f, err := a.Service.Open(ctx, did, id)
	if errors.Is(err, blobs.ErrNotFound) {
		return nil, plugin.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("plugin blob_read: %w", err)
	}
	defer f.Close()
	if offset >= f.Size() {
		return nil, nil
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("plugin blob_read: %w", err)
	}
	buf := make([]byte, min(length, f.Size()-offset))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("plugin blob_read: %w", err)
	}
	return buf[:n], nil
}

// Repos serves repo_export from the engine's CAR export.
type Repos struct{ Engine *repo.Engine }

var _ plugin.Repos = Repos{}

// ExportCAR implements plugin.Repos. An export since a rev is not
// supported yet: the engine exports whole repos.
func (a Repos) ExportCAR(ctx context.Context, did, since string, w io.Writer) error {
	if since != "" {
		return errors.New("plugin repo_export: export since a rev is not supported yet; export the whole repo")
	}
	if _, err := a.Engine.ExportCAR(ctx, did, w); err != nil {
		if errors.Is(err, repo.ErrRepoNotFound) {
			return plugin.ErrNotFound
		}
		return fmt.Errorf("plugin repo_export: %w", err)
	}
	return nil
}
