package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
)

// PageSize is the page Collection.All reads (listEncryptedRecords' largest).
const PageSize = 100

// Record is a decrypted private record.
type Record struct {
	RKey  string
	Value json.RawMessage
	Epoch uint64
	CID   string // of the envelope
	Rev   string
}

// Collection reads one owner's private collection through a Source, with
// the keys its reader was granted.
type Collection struct {
	src   Source
	keys  *crypt.CollectionKeys
	owner string
	name  string
}

// Open fetches reader's sealed grants of owner's collection from src and
// opens them with id: the reader's own identity (reader is the owner
// itself, or a grantee). An ungranted or revoked reader gets ErrForbidden
// from the PDS; grants that do not open with id give crypt.ErrGrantOpen.
func Open(ctx context.Context, src Source, id *crypt.Identity, reader, owner, collection string) (*Collection, error) {
	sealed, err := src.GrantKeys(ctx, owner, collection)
	if err != nil {
		return nil, fmt.Errorf("remote: grants of %s %s: %w", owner, collection, err)
	}
	keys, err := crypt.KeysFromGrants(id, owner, reader, collection, sealed)
	if err != nil {
		return nil, fmt.Errorf("remote: open the grants of %s %s: %w", owner, collection, err)
	}
	return &Collection{src: src, keys: keys, owner: owner, name: collection}, nil
}

// Keys returns the collection keys opened from the grants.
func (c *Collection) Keys() *crypt.CollectionKeys { return c.keys }

// open decrypts an envelope.
func (c *Collection) open(e Envelope) (Record, error) {
	rec, err := c.keys.OpenRecord(e.RKeyMAC, e.Envelope)
	if err != nil {
		return Record{}, fmt.Errorf("remote: a record of %s %s at epoch %d: %w", c.owner, c.name, e.Epoch, err)
	}
	return Record{RKey: rec.RKey, Value: rec.Value, Epoch: e.Epoch, CID: e.CID, Rev: e.Rev}, nil
}

// Get fetches and decrypts the record rkey.
func (c *Collection) Get(ctx context.Context, rkey string) (Record, error) {
	e, err := c.src.Envelope(ctx, c.owner, c.name, c.keys.RKeyMAC(rkey))
	if err != nil {
		return Record{}, fmt.Errorf("remote: get %s/%s: %w", c.name, rkey, err)
	}
	return c.open(e)
}

// List fetches and decrypts a page of records after cursor ("" from the
// start; else the next cursor of the page before) and returns the next
// cursor ("" after the last page). Records come in rkey-MAC order, which
// means nothing.
func (c *Collection) List(ctx context.Context, cursor string, limit int) ([]Record, string, error) {
	var after []byte
	if cursor != "" {
		var err error
		if after, err = B64.DecodeString(cursor); err != nil {
			return nil, "", fmt.Errorf("remote: cursor: %w", err)
		}
	}
	es, err := c.src.Envelopes(ctx, c.owner, c.name, after, limit, 0)
	if err != nil {
		return nil, "", fmt.Errorf("remote: list %s: %w", c.name, err)
	}
	out := make([]Record, 0, len(es))
	for _, e := range es {
		r, err := c.open(e)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	next := ""
	if len(es) == limit && limit > 0 {
		next = B64.EncodeToString(es[len(es)-1].RKeyMAC)
	}
	return out, next, nil
}

// All fetches and decrypts every record of the collection.
func (c *Collection) All(ctx context.Context) ([]Record, error) {
	var all []Record
	for cursor := ""; ; {
		page, next, err := c.List(ctx, cursor, PageSize)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}

// OpenBlob fetches owner's encrypted blob ref.CID from src and returns its
// plaintext, authenticated chunk by chunk: read it to io.EOF before
// trusting it (a cut or altered blob ends in crypt.ErrBlobTruncated or
// crypt.ErrBlobCorrupt). Close it when done.
func OpenBlob(ctx context.Context, src Source, owner string, ref crypt.BlobRef) (io.ReadCloser, error) {
	c, err := cid.Decode(ref.CID)
	if err != nil {
		return nil, fmt.Errorf("remote: blob CID %q: %w", ref.CID, err)
	}
	rc, err := src.Blob(ctx, owner, c)
	if err != nil {
		return nil, fmt.Errorf("remote: blob %s of %s: %w", ref.CID, owner, err)
	}
	r, err := crypt.NewBlobReader(rc, ref.Key, owner)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("remote: blob %s of %s: %w", ref.CID, owner, err), rc.Close())
	}
	return struct {
		io.Reader
		io.Closer
	}{r, rc}, nil
}
