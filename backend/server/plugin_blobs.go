package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/store"
)

var _ blobs.Hooks = (*pluginHooks)(nil)

// CheckUpload implements blobs.Hooks: blob.before_upload, then
// blob.validate, whose plugins read the received bytes (not stored yet)
// with blob_read. A refusal is a 400 naming the plugin; nothing is kept.
func (ph *pluginHooks) CheckUpload(ctx context.Context, b store.Blob, path string) error {
	h := ph.host.Load()
	if h == nil {
		return nil
	}
	ev := plugin.BlobEvent{Repo: b.DID, Mime: b.MimeType, CID: b.CID.String(), Size: b.Size}
	key := ev.Repo + " " + ev.CID
	ph.pending.Store(key, path)
	defer ph.pending.Delete(key)
	for _, hook := range []string{"blob.before_upload", "blob.validate"} {
		d, err := h.BeforeBlob(ctx, hook, ev)
		if err != nil {
			return err
		}
		if d.Verdict == plugin.Reject {
			return rejection(d)
		}
	}
	return nil
}

// AfterUpload implements blobs.Hooks: queues blob.after_upload.
func (ph *pluginHooks) AfterUpload(ctx context.Context, b store.Blob) {
	if h := ph.host.Load(); h != nil {
		h.AfterBlob(ctx, plugin.BlobEvent{Repo: b.DID, Mime: b.MimeType, CID: b.CID.String(), Size: b.Size})
	}
}

// pluginBlobs serves blob_read: an upload under check from its received
// bytes, any other blob from the blob service.
type pluginBlobs struct {
	hooks *pluginHooks
	base  plugin.Blobs
}

// ReadBlob implements plugin.Blobs.
func (pb pluginBlobs) ReadBlob(ctx context.Context, did, c string, offset, length int64) ([]byte, error) {
	path, ok := pb.hooks.pending.Load(did + " " + c)
	if !ok {
		return pb.base.ReadBlob(ctx, did, c, offset, length)
	}
	f, err := os.Open(path.(string))
	if err != nil {
		return nil, fmt.Errorf("plugin blob_read: %w", err)
	}
	defer f.Close()
	buf := make([]byte, max(length, 0))
	n, err := f.ReadAt(buf, offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("plugin blob_read: %w", err)
	}
	return buf[:n], nil
}
