package crypt

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/hearthpds/hearth/backend/keys"
)

// RecordPlaintext is what an envelope holds: the rkey (never stored in
// clear) and the record's JSON value.
type RecordPlaintext struct {
	RKey  string          `json:"rkey"`
	Value json.RawMessage `json:"value"`
}

// NewEpochKey returns a fresh random epoch key.
func NewEpochKey() ([]byte, error) {
	k := make([]byte, EpochKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("crypt: epoch key: %w", err)
	}
	return k, nil
}

// MACKey derives the owner's rkey-MAC key for a collection from the
// identity seed: HKDF-SHA256(seed, info = lp(labelRKeyMAC, owner,
// collection)). It is stable across epochs (a record keeps its row when the
// collection is rotated) and reaches grantees inside their grants.
func (id *Identity) MACKey(owner, collection string) ([]byte, error) {
	seed := id.seed.Bytes()
	defer clear(seed)
	k, err := hkdf.Key(sha256.New, seed, nil, string(lp([]byte(labelRKeyMAC), []byte(owner), []byte(collection))), EpochKeySize)
	if err != nil {
		return nil, fmt.Errorf("crypt: derive rkey MAC key: %w", err)
	}
	return k, nil
}

// CollectionKeys are the keys a client holds for one owner's collection:
// the rkey-MAC key and the epoch keys it was granted. The owner holds every
// epoch; a grantee holds those it was granted. Safe for concurrent use;
// prints without key material.
type CollectionKeys struct {
	Owner      string
	Collection string

	mu     sync.RWMutex
	mac    keys.Secret
	epochs map[uint64]keys.Secret
}

// NewCollectionKeys returns keys for owner's collection with the MAC key
// and no epochs yet.
func NewCollectionKeys(owner, collection string, macKey []byte) (*CollectionKeys, error) {
	if len(macKey) != EpochKeySize {
		return nil, fmt.Errorf("%w: MAC key is %d bytes", ErrMalformed, len(macKey))
	}
	return &CollectionKeys{Owner: owner, Collection: collection, mac: keys.NewSecret(macKey), epochs: map[uint64]keys.Secret{}}, nil
}

// String names the collection and its epochs, without keys.
func (ck *CollectionKeys) String() string {
	return fmt.Sprintf("crypt.CollectionKeys(%s %s epochs %v)", ck.Owner, ck.Collection, ck.Epochs())
}

// Format prints the same as String whatever the verb.
func (ck *CollectionKeys) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(ck.String())) }

// AddEpoch stores the key of an epoch.
func (ck *CollectionKeys) AddEpoch(epoch uint64, key []byte) error {
	if len(key) != EpochKeySize {
		return fmt.Errorf("%w: epoch key is %d bytes", ErrMalformed, len(key))
	}
	ck.mu.Lock()
	defer ck.mu.Unlock()
	ck.epochs[epoch] = keys.NewSecret(key)
	return nil
}

// AddGrant stores the keys of an opened grant, which must be for this
// owner and collection.
func (ck *CollectionKeys) AddGrant(g GrantKeys) error {
	if g.Owner != ck.Owner || g.Collection != ck.Collection {
		return fmt.Errorf("%w: grant for %s %s added to keys of %s %s", ErrMalformed, g.Owner, g.Collection, ck.Owner, ck.Collection)
	}
	mac := ck.mac.Bytes()
	defer clear(mac)
	if !hmac.Equal(mac, g.MACKey.Bytes()) {
		return fmt.Errorf("%w: grant carries another rkey MAC key", ErrMalformed)
	}
	return ck.AddEpoch(g.Epoch, g.EpochKey.Bytes())
}

// Epochs lists the epochs held, ascending.
func (ck *CollectionKeys) Epochs() []uint64 {
	ck.mu.RLock()
	defer ck.mu.RUnlock()
	return slices.Sorted(maps.Keys(ck.epochs))
}

// epochKey returns a copy of an epoch's key.
func (ck *CollectionKeys) epochKey(epoch uint64) ([]byte, error) {
	ck.mu.RLock()
	defer ck.mu.RUnlock()
	k, ok := ck.epochs[epoch]
	if !ok {
		return nil, fmt.Errorf("%w: %s %s epoch %d", ErrNoEpochKey, ck.Owner, ck.Collection, epoch)
	}
	return k.Bytes(), nil
}

// EpochKey returns a copy of an epoch's key (for sealing it to a grantee).
func (ck *CollectionKeys) EpochKey(epoch uint64) ([]byte, error) { return ck.epochKey(epoch) }

// MACKey returns a copy of the rkey-MAC key (for sealing it to a grantee).
func (ck *CollectionKeys) MACKey() []byte { return ck.mac.Bytes() }

// RKeyMAC returns HMAC-SHA256(MAC key, rkey), the row key of the record.
func (ck *CollectionKeys) RKeyMAC(rkey string) []byte {
	k := ck.mac.Bytes()
	defer clear(k)
	m := hmac.New(sha256.New, k)
	m.Write([]byte(rkey))
	return m.Sum(nil)
}

// SealRecord encrypts a record (rkey and JSON value) at epoch and returns
// its rkey MAC and envelope.
func (ck *CollectionKeys) SealRecord(epoch uint64, rkey string, value json.RawMessage) (rkeyMAC, envelope []byte, err error) {
	key, err := ck.epochKey(epoch)
	if err != nil {
		return nil, nil, err
	}
	defer clear(key)
	pt, err := json.Marshal(RecordPlaintext{RKey: rkey, Value: value})
	if err != nil {
		return nil, nil, fmt.Errorf("crypt: encode record: %w", err)
	}
	defer clear(pt)
	rkeyMAC = ck.RKeyMAC(rkey)
	envelope, err = SealEnvelope(key, RecordContext{Owner: ck.Owner, Collection: ck.Collection, RKeyMAC: rkeyMAC, Epoch: epoch}, pt)
	return rkeyMAC, envelope, err
}

// OpenRecord decrypts the envelope stored under rkeyMAC, using the epoch in
// its header, and checks that the rkey inside matches the MAC.
func (ck *CollectionKeys) OpenRecord(rkeyMAC, envelope []byte) (RecordPlaintext, error) {
	epoch, err := EnvelopeEpoch(envelope)
	if err != nil {
		return RecordPlaintext{}, err
	}
	key, err := ck.epochKey(epoch)
	if err != nil {
		return RecordPlaintext{}, err
	}
	defer clear(key)
	pt, err := OpenEnvelope(key, RecordContext{Owner: ck.Owner, Collection: ck.Collection, RKeyMAC: rkeyMAC, Epoch: epoch}, envelope)
	if err != nil {
		return RecordPlaintext{}, err
	}
	var rec RecordPlaintext
	if err := json.Unmarshal(pt, &rec); err != nil {
		return RecordPlaintext{}, fmt.Errorf("%w: record plaintext: %w", ErrMalformed, err)
	}
	if !hmac.Equal(ck.RKeyMAC(rec.RKey), rkeyMAC) {
		return RecordPlaintext{}, ErrRKeyMismatch
	}
	return rec, nil
}
