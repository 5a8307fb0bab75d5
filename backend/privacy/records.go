package privacy

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// PutEnvelope stores an envelope the owner's client sealed, under its rkey
// MAC. The envelope must be at the collection's current epoch
// (ErrStaleEpoch otherwise: the client re-seals with the new key). The
// server reads only the envelope's header. Server side, owner only.
func (s *Service) PutEnvelope(ctx context.Context, owner, collection string, rkeyMAC, envelope []byte) (store.PrivateRecord, error) {
	if err := checkCollection(collection); err != nil {
		return store.PrivateRecord{}, err
	}
	if len(rkeyMAC) != sha256.Size {
		return store.PrivateRecord{}, fmt.Errorf("%w: an rkey MAC is %d bytes", ErrInvalid, sha256.Size)
	}
	epoch, err := crypt.EnvelopeEpoch(envelope)
	if err != nil {
		return store.PrivateRecord{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	cur, err := s.st.CurrentKeyEpoch(ctx, owner, collection)
	if err != nil {
		return store.PrivateRecord{}, fmt.Errorf("privacy: put into %s: %w", collection, err)
	}
	if epoch != cur {
		return store.PrivateRecord{}, fmt.Errorf("%w: envelope at %d, collection at %d", ErrStaleEpoch, epoch, cur)
	}
	r := store.PrivateRecord{OwnerDID: owner, Collection: collection, RKeyMAC: rkeyMAC, Epoch: epoch,
		Envelope: envelope, CID: cidOf(envelope), Rev: s.rev()}
	if err := s.st.PutPrivateRecord(ctx, r); err != nil {
		return store.PrivateRecord{}, err
	}
	return r, nil
}

// GetEnvelope returns one envelope of owner's collection to the owner or an
// active grantee (ErrForbidden otherwise). Server side.
func (s *Service) GetEnvelope(ctx context.Context, requester, owner, collection string, rkeyMAC []byte) (store.PrivateRecord, error) {
	if requester != owner { // the owner needs no grant: the row answers
		if _, err := s.authorize(ctx, requester, owner, collection); err != nil {
			return store.PrivateRecord{}, err
		}
	}
	return s.st.GetPrivateRecord(ctx, owner, collection, rkeyMAC)
}

// ListEnvelopes pages owner's collection by rkey MAC after after, for the
// owner or an active grantee. Server side.
func (s *Service) ListEnvelopes(ctx context.Context, requester, owner, collection string, after []byte, limit int) ([]store.PrivateRecord, error) {
	return s.ListEnvelopesWith(ctx, requester, owner, collection, store.PrivateListOptions{After: after, Limit: limit})
}

// ListEnvelopesWith is ListEnvelopes with every paging option (MaxEpoch
// lists the records a re-encryption has yet to reach). Server side.
func (s *Service) ListEnvelopesWith(ctx context.Context, requester, owner, collection string, opts store.PrivateListOptions) ([]store.PrivateRecord, error) {
	if _, err := s.authorize(ctx, requester, owner, collection); err != nil {
		return nil, err
	}
	return s.st.ListPrivateRecords(ctx, owner, collection, opts)
}

// DeleteEnvelope removes one envelope. Server side, owner only.
func (s *Service) DeleteEnvelope(ctx context.Context, owner, collection string, rkeyMAC []byte) error {
	return s.st.DeletePrivateRecord(ctx, owner, collection, rkeyMAC)
}

// PutRecord encrypts value as owner's record collection/rkey at the
// collection's current epoch (creating epoch 1 on the first write) and
// stores it. Owner side.
func (s *Service) PutRecord(ctx context.Context, owner, collection, rkey string, value json.RawMessage) (store.PrivateRecord, error) {
	if rkey == "" {
		return store.PrivateRecord{}, fmt.Errorf("%w: empty rkey", ErrInvalid)
	}
	if !json.Valid(value) {
		return store.PrivateRecord{}, fmt.Errorf("%w: the record is not JSON", ErrInvalid)
	}
	id, err := s.unlock(ctx, owner)
	if err != nil {
		return store.PrivateRecord{}, err
	}
	ck, epoch, err := s.collectionKeys(ctx, id, owner, collection)
	if err != nil {
		return store.PrivateRecord{}, err
	}
	mac, env, err := ck.SealRecord(epoch, rkey, value)
	if err != nil {
		return store.PrivateRecord{}, err
	}
	return s.PutEnvelope(ctx, owner, collection, mac, env)
}

// Record is a decrypted private record.
type Record struct {
	RKey  string
	Value json.RawMessage
	Epoch uint64
	CID   string // of the envelope
	Rev   string
}

// open decrypts a stored envelope.
func open(ck *crypt.CollectionKeys, r store.PrivateRecord) (Record, error) {
	rec, err := ck.OpenRecord(r.RKeyMAC, r.Envelope)
	if err != nil {
		return Record{}, err
	}
	return Record{RKey: rec.RKey, Value: rec.Value, Epoch: r.Epoch, CID: r.CID.String(), Rev: r.Rev}, nil
}

// ownerCollection unlocks owner and opens a collection's keys.
func (s *Service) ownerCollection(ctx context.Context, owner, collection string) (*crypt.CollectionKeys, error) {
	id, err := s.unlock(ctx, owner)
	if err != nil {
		return nil, err
	}
	ck, _, err := s.ownerKeys(ctx, id, owner, collection)
	return ck, err
}

// GetRecord decrypts owner's record collection/rkey. Owner side.
func (s *Service) GetRecord(ctx context.Context, owner, collection, rkey string) (Record, error) {
	ck, err := s.ownerCollection(ctx, owner, collection)
	if err != nil {
		return Record{}, err
	}
	r, err := s.st.GetPrivateRecord(ctx, owner, collection, ck.RKeyMAC(rkey))
	if err != nil {
		return Record{}, err
	}
	return open(ck, r)
}

// ListRecords decrypts a page of owner's collection (ordered by rkey MAC,
// which is no meaningful order; cursor is the last rkey returned). Owner
// side.
func (s *Service) ListRecords(ctx context.Context, owner, collection, cursor string, limit int) ([]Record, error) {
	ck, err := s.ownerCollection(ctx, owner, collection)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var after []byte
	if cursor != "" {
		after = ck.RKeyMAC(cursor)
	}
	rs, err := s.st.ListPrivateRecords(ctx, owner, collection, store.PrivateListOptions{After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(rs))
	for _, r := range rs {
		rec, err := open(ck, r)
		if err != nil {
			return nil, fmt.Errorf("privacy: a record of %s: %w", collection, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// DeleteRecord deletes owner's record collection/rkey. Owner side (only
// the owner can compute the rkey's MAC).
func (s *Service) DeleteRecord(ctx context.Context, owner, collection, rkey string) error {
	ck, err := s.ownerCollection(ctx, owner, collection)
	if err != nil {
		return err
	}
	return s.DeleteEnvelope(ctx, owner, collection, ck.RKeyMAC(rkey))
}

// IsPrivateCollection reports whether owner keeps private records in
// collection (it has a key epoch), so that the public repo refuses writes
// to it: one NSID never means both. Server side.
func (s *Service) IsPrivateCollection(ctx context.Context, owner, collection string) (bool, error) {
	_, err := s.st.CurrentKeyEpoch(ctx, owner, collection)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
