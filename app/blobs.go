package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// maxThumbnail bounds the image bytes BlobThumbnail inlines.
const maxThumbnail = 5 << 20

// ListBlobs pages the owner's blobs (those records reference), by CID.
func (a *App) ListBlobs(cursor string, limit int) (BlobPage, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return BlobPage{}, err
	}
	limit = clampLimit(limit)
	ctx := context.Background()
	cids, err := run.srv.Store().ListBlobs(ctx, did, "", cursor, limit+1)
	if err != nil {
		return BlobPage{}, uiError(err)
	}
	page := BlobPage{Blobs: []BlobInfo{}}
	for i, c := range cids {
		if i == limit {
			page.Cursor = cids[i-1].String()
			break
		}
		info := BlobInfo{CID: c.String(), MimeType: "unknown"}
		if b, err := run.srv.Store().GetBlob(ctx, did, c); err == nil {
			info.MimeType, info.Size, info.CreatedAt = b.MimeType, b.Size, b.CreatedAt
		} else if !errors.Is(err, store.ErrNotFound) {
			return BlobPage{}, uiError(err)
		} else {
			info.MimeType = "missing (referenced, not uploaded)"
		}
		page.Blobs = append(page.Blobs, info)
	}
	return page, nil
}

// BlobThumbnail returns an image blob as a data: URL for the gallery; ""
// for blobs that are not images or too large to inline.
func (a *App) BlobThumbnail(cidStr string) (string, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return "", err
	}
	c, err := cid.Decode(cidStr)
	if err != nil {
		return "", invalid("%q is not a CID", cidStr)
	}
	b, f, err := run.srv.Blobs().Open(context.Background(), did, c)
	if err != nil {
		return "", uiError(err)
	}
	defer f.Close()
	if !strings.HasPrefix(b.MimeType, "image/") || b.Size > maxThumbnail {
		return "", nil
	}
	data, err := io.ReadAll(io.LimitReader(f, maxThumbnail+1))
	if err != nil {
		return "", uiError(fmt.Errorf("read blob %s: %w", c, err))
	}
	return "data:" + b.MimeType + ";base64," + base64.StdEncoding.EncodeToString(data), nil
}
