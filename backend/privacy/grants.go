package privacy

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// ownerKeys opens the owner's own grants (the owner is grantee #0 of every
// epoch) and returns the collection's keys with the current epoch, or
// store.ErrNotFound when the collection has no epoch yet.
func (s *Service) ownerKeys(ctx context.Context, id *crypt.Identity, owner, collection string) (*crypt.CollectionKeys, uint64, error) {
	epoch, err := s.st.CurrentKeyEpoch(ctx, owner, collection)
	if err != nil {
		return nil, 0, err
	}
	gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: owner})
	if err != nil {
		return nil, 0, err
	}
	mac, err := id.MACKey(owner, collection)
	if err != nil {
		return nil, 0, err
	}
	defer clear(mac)
	ck, err := crypt.NewCollectionKeys(owner, collection, mac)
	if err != nil {
		return nil, 0, err
	}
	for _, g := range gs {
		opened, err := crypt.OpenGrant(id, crypt.GrantContext{Owner: owner, Grantee: owner, Collection: collection, Epoch: g.Epoch}, g.SealedKey)
		if err != nil {
			return nil, 0, fmt.Errorf("privacy: open own grant of %s epoch %d: %w", collection, g.Epoch, err)
		}
		if err := ck.AddGrant(opened); err != nil {
			return nil, 0, fmt.Errorf("privacy: own grant of %s epoch %d: %w", collection, g.Epoch, err)
		}
	}
	return ck, epoch, nil
}

// collectionKeys returns the owner's keys of a collection, creating its
// first epoch when it has none.
func (s *Service) collectionKeys(ctx context.Context, id *crypt.Identity, owner, collection string) (*crypt.CollectionKeys, uint64, error) {
	if err := checkCollection(collection); err != nil {
		return nil, 0, err
	}
	ck, epoch, err := s.ownerKeys(ctx, id, owner, collection)
	if !errors.Is(err, store.ErrNotFound) {
		return ck, epoch, err
	}
	mac, err := id.MACKey(owner, collection)
	if err != nil {
		return nil, 0, err
	}
	defer clear(mac)
	if ck, err = crypt.NewCollectionKeys(owner, collection, mac); err != nil {
		return nil, 0, err
	}
	epoch, err = s.newEpoch(ctx, id, ck, 0, store.RotationCreate, nil)
	if errors.Is(err, store.ErrConflict) {
		// Another writer created it meanwhile.
		return s.ownerKeys(ctx, id, owner, collection)
	}
	return ck, epoch, err
}

// sealTo seals epoch's key and the MAC key of ck to grantee's key.
func (s *Service) sealTo(ck *crypt.CollectionKeys, epoch uint64, grantee string, key crypt.PublicKey) (store.KeyGrant, error) {
	ek, err := ck.EpochKey(epoch)
	if err != nil {
		return store.KeyGrant{}, err
	}
	defer clear(ek)
	mac := ck.MACKey()
	defer clear(mac)
	sealed, err := crypt.SealGrant(key, crypt.GrantContext{Owner: ck.Owner, Grantee: grantee, Collection: ck.Collection, Epoch: epoch}, ek, mac)
	if err != nil {
		return store.KeyGrant{}, err
	}
	return store.KeyGrant{OwnerDID: ck.Owner, Collection: ck.Collection, Epoch: epoch, GranteeDID: grantee,
		GranteeKeyID: key.KeyID(), KEMID: key.KEMID, SealedKey: sealed, CreatedAt: s.now()}, nil
}

// newEpoch starts epoch cur+1 with a fresh key, sealed to the owner and to
// every active grantee of epoch cur except those in revoke, whom it
// revokes, in one atomic store call. A remaining grantee whose published
// key no longer matches its grant stops the rotation with ErrKeyChanged.
func (s *Service) newEpoch(ctx context.Context, id *crypt.Identity, ck *crypt.CollectionKeys, cur uint64, reason string, revoke []string) (uint64, error) {
	next := cur + 1
	key, err := crypt.NewEpochKey()
	if err != nil {
		return 0, err
	}
	defer clear(key)
	if err := ck.AddEpoch(next, key); err != nil {
		return 0, err
	}
	own, err := s.sealTo(ck, next, ck.Owner, id.Public())
	if err != nil {
		return 0, err
	}
	grants := []store.KeyGrant{own}
	if cur > 0 {
		active, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: ck.Owner, Collection: ck.Collection, Epoch: cur})
		if err != nil {
			return 0, err
		}
		for _, g := range active {
			if g.GranteeDID == ck.Owner || contains(revoke, g.GranteeDID) {
				continue
			}
			pub, err := s.resolveKey(ctx, g.GranteeDID)
			if err != nil {
				return 0, err
			}
			if pub.KeyID() != g.GranteeKeyID {
				return 0, fmt.Errorf("%w: %s now publishes %s, granted %s", ErrKeyChanged, g.GranteeDID, pub.KeyID(), g.GranteeKeyID)
			}
			sg, err := s.sealTo(ck, next, g.GranteeDID, pub)
			if err != nil {
				return 0, err
			}
			grants = append(grants, sg)
		}
	}
	rot := store.KeyRotation{OwnerDID: ck.Owner, Collection: ck.Collection, Epoch: next, Reason: reason, ActorDID: ck.Owner, CreatedAt: s.now()}
	if _, err := s.commitEpoch(ctx, rot, grants, revoke); err != nil {
		return 0, err
	}
	return next, nil
}

// contains reports whether list holds v.
func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ResolveGranteeKey returns the key a grant to did would be sealed to,
// for the owner to compare fingerprints (KeyID) before granting.
func (s *Service) ResolveGranteeKey(ctx context.Context, did string) (crypt.PublicKey, error) {
	return s.resolveKey(ctx, did)
}

// Grant gives grantee read access to owner's collection: every epoch key
// (so it can read existing records) sealed to key, the grantee's key the
// owner confirmed, and returns the grantee's active grants. Granting again
// with the same key seals only epochs it lacks (none, normally); with
// another key (the grantee changed keys) it rotates the collection,
// revoking the grants to the old key, and seals everything to the new one.
// Owner side.
func (s *Service) Grant(ctx context.Context, owner, collection, grantee string, key crypt.PublicKey) ([]store.KeyGrant, error) {
	if err := checkGrantee(owner, collection, grantee); err != nil {
		return nil, err
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("%w: grantee key: %w", ErrInvalid, err)
	}
	id, err := s.unlock(ctx, owner)
	if err != nil {
		return nil, err
	}
	if err := s.askGrant(ctx, GrantEvent{Owner: owner, Collection: collection, Grantee: grantee, Epoch: s.grantEpoch(ctx, owner, collection)}); err != nil {
		return nil, err
	}
	ck, epoch, err := s.collectionKeys(ctx, id, owner, collection)
	if err != nil {
		return nil, err
	}
	existing, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: grantee})
	if err != nil {
		return nil, err
	}
	held := map[uint64]bool{}
	if len(existing) > 0 && existing[0].GranteeKeyID != key.KeyID() {
		// A changed key: revoke the old one (new epoch), then grant anew.
		if epoch, err = s.newEpoch(ctx, id, ck, epoch, store.RotationRotate, []string{grantee}); err != nil {
			return nil, err
		}
		existing = nil
	}
	for _, g := range existing {
		held[g.Epoch] = true
	}
	// Seal the epochs the grantee lacks: all of them for a new grantee, or
	// one a concurrent rotation started while it was being granted.
	grants := make([]store.KeyGrant, 0, epoch)
	for e := uint64(1); e <= epoch; e++ {
		if held[e] {
			continue
		}
		g, err := s.sealTo(ck, e, grantee, key)
		if err != nil {
			return nil, err
		}
		grants = append(grants, g)
	}
	if err := s.commitGrants(ctx, collection, grantee, grants); err != nil {
		return nil, err
	}
	return s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: grantee})
}

// grantEpoch is the epoch a grant request names: the collection's
// current one, or 1 when the grant creates the collection.
func (s *Service) grantEpoch(ctx context.Context, owner, collection string) uint64 {
	if cur, err := s.st.CurrentKeyEpoch(ctx, owner, collection); err == nil {
		return cur
	}
	return 1
}

// RevokeOptions tune a revocation.
type RevokeOptions struct {
	// Reencrypt re-encrypts every older record at the new epoch ("hard
	// revoke"), so no record stays under a key the revoked grantee held.
	Reencrypt bool
}

// RevokeResult tells what a revocation did.
type RevokeResult struct {
	Epoch       uint64 // the new epoch
	Resealed    int    // grants sealed for the new epoch (the owner included)
	Reencrypted int    // records re-encrypted at the new epoch
}

// Revoke ends grantee's access to owner's collection: a new epoch, its key
// sealed to the owner and the remaining grantees, and every grant of the
// grantee marked revoked, in one atomic store call; from then on the server
// refuses the grantee at every epoch. Data the grantee already fetched
// stays readable to it; Reencrypt also re-encrypts older records. Owner
// side.
func (s *Service) Revoke(ctx context.Context, owner, collection, grantee string, opts RevokeOptions) (RevokeResult, error) {
	gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: grantee})
	if err != nil {
		return RevokeResult{}, err
	}
	if len(gs) == 0 || grantee == owner {
		return RevokeResult{}, fmt.Errorf("privacy: revoke %s on %s: %w", grantee, collection, store.ErrNotFound)
	}
	return s.rotate(ctx, owner, collection, store.RotationRevoke, []string{grantee}, opts.Reencrypt)
}

// Rotate starts a new epoch of owner's collection without revoking anyone
// (new records use the new key), optionally re-encrypting older records.
// Owner side.
func (s *Service) Rotate(ctx context.Context, owner, collection string, reencrypt bool) (RevokeResult, error) {
	return s.rotate(ctx, owner, collection, store.RotationRotate, nil, reencrypt)
}

// rotate is Revoke and Rotate.
func (s *Service) rotate(ctx context.Context, owner, collection, reason string, revoke []string, reencrypt bool) (RevokeResult, error) {
	id, err := s.unlock(ctx, owner)
	if err != nil {
		return RevokeResult{}, err
	}
	ck, cur, err := s.ownerKeys(ctx, id, owner, collection)
	if err != nil {
		return RevokeResult{}, err
	}
	epoch, err := s.newEpoch(ctx, id, ck, cur, reason, revoke)
	if err != nil {
		return RevokeResult{}, err
	}
	res := RevokeResult{Epoch: epoch}
	sealed, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, Epoch: epoch})
	if err != nil {
		return res, err
	}
	res.Resealed = len(sealed)
	if reencrypt {
		res.Reencrypted, err = s.reencrypt(ctx, ck, epoch)
	}
	return res, err
}

// reencrypt re-seals every record older than epoch at epoch, in batches
// of MaxReencryptBatch through Reencrypt (each atomic; a record changed
// meanwhile fails its batch with store.ErrConflict, and the call can
// simply be repeated).
func (s *Service) reencrypt(ctx context.Context, ck *crypt.CollectionKeys, epoch uint64) (int, error) {
	n := 0
	var after []byte
	for {
		rs, err := s.st.ListPrivateRecords(ctx, ck.Owner, ck.Collection, store.PrivateListOptions{After: after, Limit: MaxReencryptBatch, MaxEpoch: epoch - 1})
		if err != nil || len(rs) == 0 {
			return n, err
		}
		batch := make([]Reencrypted, 0, len(rs))
		for _, r := range rs {
			rec, err := ck.OpenRecord(r.RKeyMAC, r.Envelope)
			if err != nil {
				return n, fmt.Errorf("privacy: re-encrypt a record of %s: %w", ck.Collection, err)
			}
			mac, env, err := ck.SealRecord(epoch, rec.RKey, rec.Value)
			if err != nil {
				return n, err
			}
			batch = append(batch, Reencrypted{RKeyMAC: mac, PrevEpoch: r.Epoch, Envelope: env})
		}
		res, err := s.Reencrypt(ctx, ck.Owner, ck.Collection, batch)
		if err != nil {
			return n, err
		}
		n += res.Reencrypted
		after = rs[len(rs)-1].RKeyMAC
	}
}

// GrantKeys returns requester's active sealed grants of owner's collection
// (every epoch it holds), for its client to open. Server side: the owner
// or an active grantee, else ErrForbidden.
func (s *Service) GrantKeys(ctx context.Context, requester, owner, collection string) ([]crypt.SealedGrant, error) {
	if _, err := s.authorize(ctx, requester, owner, collection); err != nil {
		return nil, err
	}
	gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: requester})
	if err != nil {
		return nil, err
	}
	out := make([]crypt.SealedGrant, len(gs))
	for i, g := range gs {
		out[i] = crypt.SealedGrant{Epoch: g.Epoch, Sealed: g.SealedKey}
	}
	return out, nil
}

// ListGrants lists the grants of owner's collection ("" for every
// collection), revoked ones too when includeRevoked. Server side, owner
// only.
func (s *Service) ListGrants(ctx context.Context, owner, collection string, includeRevoked bool) ([]store.KeyGrant, error) {
	return s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, IncludeRevoked: includeRevoked})
}

// Rotations lists the rotation history of owner's collection ("" for
// every collection). Server side, owner only.
func (s *Service) Rotations(ctx context.Context, owner, collection string) ([]store.KeyRotation, error) {
	return s.st.ListKeyRotations(ctx, owner, collection)
}

// Collections lists owner's private collections. Server side, owner only.
func (s *Service) Collections(ctx context.Context, owner string) ([]store.PrivateCollection, error) {
	return s.st.ListPrivateCollections(ctx, owner)
}
