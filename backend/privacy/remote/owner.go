package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
)

// Re-encryption batches: at most MaxReencryptBatch records (the server's
// limit) and about maxBatchBytes of envelopes per call (JSON bodies are
// capped at 4 MiB).
const (
	MaxReencryptBatch = 100
	maxBatchBytes     = 2 << 20
)

// Owner is the owner's client over XRPC: it holds the owner's identity and
// seals everything itself; its PDS stores ciphertext and sealed grants.
// Safe for concurrent use.
type Owner struct {
	Client   *Client         // the owner's PDS, with the owner's session
	Identity *crypt.Identity // the owner's identity
	DID      string
	// Net fetches grantees' published keys (for rotations). Nil: rotations
	// that must re-seal to grantees fail.
	Net *Network

	mu   sync.Mutex
	keys map[string]*crypt.CollectionKeys
}

// source is the owner's own PDS as a Source.
func (o *Owner) source() Source { return NewXRPCSource(o.Client) }

// Keys returns the collection's keys (every epoch, from the owner's own
// grants) and its current epoch, creating epoch 1 when the collection has
// none. fresh skips the cache.
func (o *Owner) Keys(ctx context.Context, collection string, fresh bool) (*crypt.CollectionKeys, uint64, error) {
	o.mu.Lock()
	ck := o.keys[collection]
	o.mu.Unlock()
	if ck == nil || fresh {
		c, err := Open(ctx, o.source(), o.Identity, o.DID, o.DID, collection)
		switch {
		case errors.Is(err, ErrNotFound):
			if ck, err = o.create(ctx, collection); errors.Is(err, ErrStaleEpoch) {
				// Another client created it meanwhile: read its grant.
				return o.Keys(ctx, collection, true)
			}
			if err != nil {
				return nil, 0, err
			}
		case err != nil:
			return nil, 0, err
		default:
			ck = c.Keys()
		}
		o.remember(collection, ck)
	}
	eps := ck.Epochs()
	return ck, eps[len(eps)-1], nil
}

func (o *Owner) remember(collection string, ck *crypt.CollectionKeys) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.keys == nil {
		o.keys = map[string]*crypt.CollectionKeys{}
	}
	o.keys[collection] = ck
}

// create starts epoch 1 of a new collection (rotateKey with the owner's
// own grant only).
func (o *Owner) create(ctx context.Context, collection string) (*crypt.CollectionKeys, error) {
	mac, err := o.Identity.MACKey(o.DID, collection)
	if err != nil {
		return nil, err
	}
	defer clear(mac)
	ck, err := crypt.NewCollectionKeys(o.DID, collection, mac)
	if err != nil {
		return nil, err
	}
	if _, err := o.startEpoch(ctx, ck, 0, "", nil, false); err != nil {
		return nil, err
	}
	return ck, nil
}

// Put seals value as the record collection/rkey at the current epoch and
// stores it. A rotation meanwhile (StaleEpoch) refreshes the keys and
// seals again once.
func (o *Owner) Put(ctx context.Context, collection, rkey string, value json.RawMessage) (Envelope, error) {
	for attempt := 0; ; attempt++ {
		ck, epoch, err := o.Keys(ctx, collection, attempt > 0)
		if err != nil {
			return Envelope{}, err
		}
		mac, env, err := ck.SealRecord(epoch, rkey, value)
		if err != nil {
			return Envelope{}, err
		}
		var out RecordView
		err = o.Client.Post(ctx, PrivateNS+"putRecord", PutRecordInput{Collection: collection,
			RKeyMAC: B64.EncodeToString(mac), Envelope: B64.EncodeToString(env)}, &out)
		if errors.Is(err, ErrStaleEpoch) && attempt == 0 {
			continue
		}
		if err != nil {
			return Envelope{}, fmt.Errorf("remote: put %s/%s: %w", collection, rkey, err)
		}
		return Envelope{RKeyMAC: mac, Epoch: out.Epoch, CID: out.CID, Rev: out.Rev, Envelope: env}, nil
	}
}

// Collection returns a reader of the owner's own collection.
func (o *Owner) Collection(ctx context.Context, collection string) (*Collection, error) {
	ck, _, err := o.Keys(ctx, collection, false)
	if err != nil {
		return nil, err
	}
	return &Collection{src: o.source(), keys: ck, owner: o.DID, name: collection}, nil
}

// Get fetches and decrypts the owner's record collection/rkey; a record of
// an epoch the cached keys lack refreshes them once.
func (o *Owner) Get(ctx context.Context, collection, rkey string) (Record, error) {
	for attempt := 0; ; attempt++ {
		c, err := o.Collection(ctx, collection)
		if err != nil {
			return Record{}, err
		}
		r, err := c.Get(ctx, rkey)
		if !errors.Is(err, crypt.ErrNoEpochKey) || attempt > 0 {
			return r, err
		}
		if _, _, err := o.Keys(ctx, collection, true); err != nil {
			return Record{}, err
		}
	}
}

// Delete removes the owner's record collection/rkey.
func (o *Owner) Delete(ctx context.Context, collection, rkey string) error {
	ck, _, err := o.Keys(ctx, collection, false)
	if err != nil {
		return err
	}
	return o.Client.Post(ctx, PrivateNS+"deleteRecord", DeleteRecordInput{Collection: collection, RKeyMAC: B64.EncodeToString(ck.RKeyMAC(rkey))}, nil)
}

// UploadBlob encrypts r under a fresh blob key, streaming, uploads it and
// returns the reference to put inside a private record.
func (o *Owner) UploadBlob(ctx context.Context, r io.Reader, mimeType string) (crypt.BlobRef, error) {
	key, err := crypt.NewBlobKey()
	if err != nil {
		return crypt.BlobRef{}, err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var res crypt.BlobResult
	go func() {
		var err error
		res, err = crypt.EncryptBlob(pw, r, key, o.DID)
		pw.CloseWithError(err)
		done <- err
	}()
	var out struct {
		CID  string `json:"cid"`
		Size int64  `json:"size"`
	}
	err = o.Client.PostRaw(ctx, PrivateNS+"uploadBlob", "application/octet-stream", pr, &out)
	pr.CloseWithError(errors.New("remote: the upload stopped reading"))
	if encErr := <-done; encErr != nil && err == nil {
		err = encErr
	}
	if err != nil {
		return crypt.BlobRef{}, fmt.Errorf("remote: upload a blob: %w", err)
	}
	if out.CID != res.CID.String() {
		return crypt.BlobRef{}, fmt.Errorf("remote: the PDS addressed the blob %s, encrypted %s", out.CID, res.CID)
	}
	return crypt.BlobRef{CID: out.CID, Key: key, MimeType: mimeType, Size: res.PlainSize, Encrypted: res.Size}, nil
}

// Grant seals every epoch key of the collection (so the grantee reads
// older records too) to key, the grantee's key the user confirmed (its
// KeyID), and stores the grants (grantAccess). The PDS checks the key ID
// against the key the grantee publishes, and its plugins may refuse.
func (o *Owner) Grant(ctx context.Context, collection, grantee string, key crypt.PublicKey) ([]GrantView, error) {
	for attempt := 0; ; attempt++ {
		ck, _, err := o.Keys(ctx, collection, attempt > 0)
		if err != nil {
			return nil, err
		}
		in := GrantAccessInput{Collection: collection, Grantee: grantee, GranteeKeyID: key.KeyID()}
		for _, e := range ck.Epochs() {
			sealed, err := sealTo(ck, e, grantee, key)
			if err != nil {
				return nil, err
			}
			in.Grants = append(in.Grants, SealedGrantView{Epoch: e, Sealed: B64.EncodeToString(sealed)})
		}
		var out struct {
			Grants []GrantView `json:"grants"`
		}
		err = o.Client.Post(ctx, PrivateNS+"grantAccess", in, &out)
		if errors.Is(err, ErrStaleEpoch) && attempt == 0 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("remote: grant %s to %s: %w", collection, grantee, err)
		}
		return out.Grants, nil
	}
}

// sealTo seals epoch's key and the MAC key of ck to grantee's key.
func sealTo(ck *crypt.CollectionKeys, epoch uint64, grantee string, key crypt.PublicKey) ([]byte, error) {
	ek, err := ck.EpochKey(epoch)
	if err != nil {
		return nil, err
	}
	defer clear(ek)
	mac := ck.MACKey()
	defer clear(mac)
	return crypt.SealGrant(key, crypt.GrantContext{Owner: ck.Owner, Grantee: grantee, Collection: ck.Collection, Epoch: epoch}, ek, mac)
}

// ListGrants lists the owner's active grants of a collection.
func (o *Owner) ListGrants(ctx context.Context, collection string) ([]GrantView, error) {
	var out struct {
		Grants []GrantView `json:"grants"`
	}
	if err := o.Client.Get(ctx, PrivateNS+"listGrants", url.Values{"collection": {collection}}, &out); err != nil {
		return nil, err
	}
	return out.Grants, nil
}

// RevokeResult tells what a revocation or rotation did.
type RevokeResult struct {
	Epoch       uint64 // the new epoch
	Resealed    int    // grants of the new epoch (the owner included)
	Revoked     int    // grants marked revoked
	Reencrypted int    // records re-encrypted at the new epoch
}

// Revoke ends grantee's access: a new epoch whose key the client seals to
// the owner and the remaining grantees, the grantee's grants revoked, in
// one call (revokeAccess); with reencrypt, every older record is then
// re-sealed at the new epoch, in batches, until none is left.
func (o *Owner) Revoke(ctx context.Context, collection, grantee string, reencrypt bool) (RevokeResult, error) {
	if grantee == "" || grantee == o.DID {
		return RevokeResult{}, fmt.Errorf("remote: revoke: grantee %q", grantee)
	}
	return o.rotate(ctx, collection, grantee, reencrypt)
}

// Rotate starts a new epoch without revoking anyone (rotateKey),
// optionally re-encrypting older records.
func (o *Owner) Rotate(ctx context.Context, collection string, reencrypt bool) (RevokeResult, error) {
	return o.rotate(ctx, collection, "", reencrypt)
}

// rotate is Revoke and Rotate.
func (o *Owner) rotate(ctx context.Context, collection, revoke string, reencrypt bool) (RevokeResult, error) {
	ck, cur, err := o.Keys(ctx, collection, true)
	if err != nil {
		return RevokeResult{}, err
	}
	grants, err := o.ListGrants(ctx, collection)
	if err != nil {
		return RevokeResult{}, err
	}
	remaining := map[string]string{} // grantee → key ID granted
	for _, g := range grants {
		if g.Epoch == cur && g.Grantee != o.DID && g.Grantee != revoke {
			remaining[g.Grantee] = g.GranteeKeyID
		}
	}
	out, err := o.startEpoch(ctx, ck, cur, revoke, remaining, reencrypt)
	if err != nil {
		return RevokeResult{}, err
	}
	res := RevokeResult{Epoch: out.Epoch, Resealed: out.Resealed, Revoked: out.Revoked}
	if reencrypt && out.Pending {
		res.Reencrypted, err = o.reencrypt(ctx, ck, out.Epoch)
	}
	return res, err
}

// startEpoch seals a fresh key for epoch cur+1 to the owner and to the
// remaining grantees (whose published keys must still be the ones granted)
// and stores it: rotateKey, or revokeAccess when revoke is set.
func (o *Owner) startEpoch(ctx context.Context, ck *crypt.CollectionKeys, cur uint64, revoke string, remaining map[string]string, reencrypt bool) (NewEpochOutput, error) {
	next := cur + 1
	key, err := crypt.NewEpochKey()
	if err != nil {
		return NewEpochOutput{}, err
	}
	defer clear(key)
	if err := ck.AddEpoch(next, key); err != nil {
		return NewEpochOutput{}, err
	}
	in := NewEpochInput{Collection: ck.Collection, Grantee: revoke, Epoch: next, Reencrypt: reencrypt}
	own, err := sealTo(ck, next, o.DID, o.Identity.Public())
	if err != nil {
		return NewEpochOutput{}, err
	}
	in.Grants = append(in.Grants, EpochGrantView{Grantee: o.DID, GranteeKeyID: o.Identity.Public().KeyID(), Sealed: B64.EncodeToString(own)})
	for grantee, keyID := range remaining {
		g, err := o.resealTo(ctx, ck, next, grantee, keyID)
		if err != nil {
			return NewEpochOutput{}, err
		}
		in.Grants = append(in.Grants, g)
	}
	nsid := PrivateNS + "rotateKey"
	if revoke != "" {
		nsid = PrivateNS + "revokeAccess"
	}
	var out NewEpochOutput
	if err := o.Client.Post(ctx, nsid, in, &out); err != nil {
		o.forget(ck.Collection)
		return NewEpochOutput{}, fmt.Errorf("remote: start epoch %d of %s: %w", next, ck.Collection, err)
	}
	return out, nil
}

// forget drops the cached keys of a collection.
func (o *Owner) forget(collection string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.keys, collection)
}

// ErrKeyChanged: a grantee now publishes another key than the one it was
// granted; grant it again (after the user compared the new key ID) before
// rotating.
var ErrKeyChanged = errors.New("remote: the grantee's key changed; confirm it and grant again")

// resealTo seals epoch's key to a remaining grantee, after checking that
// it still publishes the key it was granted.
func (o *Owner) resealTo(ctx context.Context, ck *crypt.CollectionKeys, epoch uint64, grantee, keyID string) (EpochGrantView, error) {
	if o.Net == nil {
		return EpochGrantView{}, fmt.Errorf("remote: no network to fetch the key of %s", grantee)
	}
	pub, err := o.Net.PublicKey(ctx, grantee)
	if err != nil {
		return EpochGrantView{}, err
	}
	if pub.KeyID() != keyID {
		return EpochGrantView{}, fmt.Errorf("%w: %s now publishes %s, granted %s", ErrKeyChanged, grantee, pub.KeyID(), keyID)
	}
	sealed, err := sealTo(ck, epoch, grantee, pub)
	if err != nil {
		return EpochGrantView{}, err
	}
	return EpochGrantView{Grantee: grantee, GranteeKeyID: keyID, Sealed: B64.EncodeToString(sealed)}, nil
}

// reencrypt re-seals every record older than epoch at epoch, in batches,
// until the PDS says none is left.
func (o *Owner) reencrypt(ctx context.Context, ck *crypt.CollectionKeys, epoch uint64) (int, error) {
	src, n := o.source(), 0
	var after []byte
	for {
		es, err := src.Envelopes(ctx, o.DID, ck.Collection, after, MaxReencryptBatch, epoch-1)
		if err != nil || len(es) == 0 {
			return n, err
		}
		in := ReencryptInput{Collection: ck.Collection}
		size := 0
		for _, e := range es {
			rec, err := ck.OpenRecord(e.RKeyMAC, e.Envelope)
			if err != nil {
				return n, fmt.Errorf("remote: re-encrypt a record of %s: %w", ck.Collection, err)
			}
			mac, env, err := ck.SealRecord(epoch, rec.RKey, rec.Value)
			if err != nil {
				return n, err
			}
			if size += len(env); size > maxBatchBytes && len(in.Records) > 0 {
				break
			}
			in.Records = append(in.Records, ReencryptedView{RKeyMAC: B64.EncodeToString(mac), PrevEpoch: e.Epoch, Envelope: B64.EncodeToString(env)})
			after = e.RKeyMAC
		}
		var out ReencryptOutput
		if err := o.Client.Post(ctx, PrivateNS+"reencryptRecords", in, &out); err != nil {
			return n, fmt.Errorf("remote: re-encrypt %s: %w", ck.Collection, err)
		}
		n += out.Reencrypted
		if !out.Pending {
			return n, nil
		}
	}
}
