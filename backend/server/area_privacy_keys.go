package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atdata"
	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// keyPublisher writes key records through the repo engine, as a signed
// commit like any other record (it reaches the firehose and relays: the
// only public artifact of private records).
type keyPublisher struct{ engine *repo.Engine }

// PublishKey puts rec at dev.hearthpds.crypto.encryptionKey/self; undo
// deletes it if it is still the record written here.
func (p keyPublisher) PublishKey(ctx context.Context, did string, rec crypt.KeyRecord) (func(context.Context) error, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	data, err := atdata.UnmarshalJSON(b)
	if err != nil {
		return nil, err
	}
	res, err := p.engine.Apply(ctx, did, []repo.Write{{Action: repo.Put, Collection: crypt.KeyRecordNSID, RKey: crypt.KeyRecordRKey, Record: data}},
		repo.ApplyOptions{Validate: repo.ValidateRequire})
	if err != nil {
		return nil, err
	}
	if len(res.Writes) != 1 {
		return nil, fmt.Errorf("key record write: %d results", len(res.Writes))
	}
	written := res.Writes[0].CID
	return func(ctx context.Context) error {
		_, err := p.engine.Apply(ctx, did, []repo.Write{{Action: repo.Delete, Collection: crypt.KeyRecordNSID, RKey: crypt.KeyRecordRKey,
			Swap: &repo.Swap{CID: &written}}}, repo.ApplyOptions{})
		return err
	}, nil
}

// maxKeyRecord bounds a fetched key record response.
const maxKeyRecord = 64 << 10

// remoteKeys resolves an account's published key: an account hosted here
// from its own repo (so one whose DID is not yet published, local-first,
// still resolves), another from the PDS its DID document names, whose
// public com.atproto.repo.getRecord serves the key record.
type remoteKeys struct {
	dir   indigoid.Directory
	hc    *http.Client
	local store.Repos
}

// ResolveKey fetches and checks did's dev.hearthpds.crypto.encryptionKey/self.
func (r remoteKeys) ResolveKey(ctx context.Context, did string) (crypt.PublicKey, error) {
	if r.local != nil {
		rec, err := r.local.GetRecord(ctx, did, crypt.KeyRecordNSID, crypt.KeyRecordRKey)
		if err == nil {
			return keyFromBlock(rec.Value)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return crypt.PublicKey{}, fmt.Errorf("read the key record of %s: %w", did, err)
		}
	}
	d, err := syntax.ParseDID(did)
	if err != nil {
		return crypt.PublicKey{}, err
	}
	ident, err := r.dir.LookupDID(ctx, d)
	if err != nil {
		return crypt.PublicKey{}, fmt.Errorf("resolve %s: %w", did, err)
	}
	pds := strings.TrimSuffix(ident.PDSEndpoint(), "/")
	if pds == "" {
		return crypt.PublicKey{}, fmt.Errorf("%s names no PDS", did)
	}
	q := url.Values{"repo": {did}, "collection": {crypt.KeyRecordNSID}, "rkey": {crypt.KeyRecordRKey}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pds+"/xrpc/com.atproto.repo.getRecord?"+q.Encode(), nil)
	if err != nil {
		return crypt.PublicKey{}, err
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return crypt.PublicKey{}, fmt.Errorf("fetch the key record of %s: %w", did, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeyRecord))
	if err != nil {
		return crypt.PublicKey{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return crypt.PublicKey{}, fmt.Errorf("fetch the key record of %s: HTTP %d", did, resp.StatusCode)
	}
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Value) == 0 {
		return crypt.PublicKey{}, errors.Join(errors.New("malformed getRecord answer"), err)
	}
	return crypt.ParseKeyRecord(out.Value)
}

// keyFromBlock parses a key record stored as DAG-CBOR.
func keyFromBlock(block []byte) (crypt.PublicKey, error) {
	v, err := atdata.UnmarshalCBOR(block)
	if err != nil {
		return crypt.PublicKey{}, fmt.Errorf("decode the key record: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return crypt.PublicKey{}, fmt.Errorf("encode the key record: %w", err)
	}
	return crypt.ParseKeyRecord(b)
}
