package blobs

import (
	"context"

	"github.com/hearthpds/hearth/backend/store"
)

// Hooks let the plugin host see uploads. Both methods must be safe for
// concurrent use.
type Hooks interface {
	// CheckUpload runs once an upload is received and hashed, before
	// anything is stored: an error refuses the upload (returned by Upload
	// as is) and nothing is kept. path holds the bytes until it returns.
	CheckUpload(ctx context.Context, b store.Blob, path string) error
	// AfterUpload runs once the blob is stored; it must not block and
	// cannot fail the upload.
	AfterUpload(ctx context.Context, b store.Blob)
}
