package privacy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// Server-side grant and rotation calls: the owner's client sealed every
// key itself (the server never has one); these check what it sent and
// store it atomically. The owner-side Grant, Revoke and Rotate seal in
// process and end in the same checks and store calls (commitGrants,
// commitEpoch), so both paths behave the same.

// MaxReencryptBatch is the most records one Reencrypt call replaces.
const MaxReencryptBatch = 100

// SealedGrants are a collection's epoch keys the owner's client sealed to
// a grantee's published key (dev.hearthpds.private.grantAccess).
type SealedGrants struct {
	Collection string
	Grantee    string
	// GranteeKeyID is the key the owner confirmed: it must be the one the
	// grantee publishes.
	GranteeKeyID string
	// Grants: one per epoch the grantee gets; the current epoch must be
	// among them (a grantee is authorised by its grant of it).
	Grants []crypt.SealedGrant
}

// GrantSealed stores grants the owner's client sealed, after the plugin
// hook privacy.on_access_grant_request (a refusal is a
// *GrantRefusedError), checking the key ID against the grantee's
// published key (ErrKeyChanged otherwise; also when the grantee holds
// grants to another key: revoke it first) and the epochs against the
// collection's (ErrStaleEpoch when the current one is missing). Epochs the
// grantee already holds are skipped. It returns the grantee's active
// grants. Server side, owner only.
func (s *Service) GrantSealed(ctx context.Context, owner string, g SealedGrants) ([]store.KeyGrant, error) {
	if err := checkGrantee(owner, g.Collection, g.Grantee); err != nil {
		return nil, err
	}
	cur, err := s.st.CurrentKeyEpoch(ctx, owner, g.Collection)
	if err != nil {
		return nil, fmt.Errorf("privacy: grant %s: %w", g.Collection, err)
	}
	if err := s.askGrant(ctx, GrantEvent{Owner: owner, Collection: g.Collection, Grantee: g.Grantee, Epoch: cur}); err != nil {
		return nil, err
	}
	pub, err := s.resolveKey(ctx, g.Grantee)
	if err != nil {
		return nil, err
	}
	if pub.KeyID() != g.GranteeKeyID {
		return nil, fmt.Errorf("%w: %s publishes %s; the grants are sealed to %s", ErrKeyChanged, g.Grantee, pub.KeyID(), g.GranteeKeyID)
	}
	held, err := s.heldEpochs(ctx, owner, g.Collection, g.Grantee, pub.KeyID())
	if err != nil {
		return nil, err
	}
	grants, err := s.sealedToStore(owner, g, cur, pub, held)
	if err != nil {
		return nil, err
	}
	if err := s.commitGrants(ctx, g.Collection, g.Grantee, grants); err != nil {
		return nil, err
	}
	return s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: g.Collection, GranteeDID: g.Grantee})
}

// checkGrantee validates a grant's collection and grantee.
func checkGrantee(owner, collection, grantee string) error {
	if err := checkCollection(collection); err != nil {
		return err
	}
	if grantee == owner || grantee == "" {
		return fmt.Errorf("%w: grantee %q", ErrInvalid, grantee)
	}
	if _, err := syntax.ParseDID(grantee); err != nil {
		return fmt.Errorf("%w: grantee %q is not a DID", ErrInvalid, grantee)
	}
	return nil
}

// heldEpochs returns the epochs grantee holds active grants of, which must
// be sealed to keyID (ErrKeyChanged otherwise).
func (s *Service) heldEpochs(ctx context.Context, owner, collection, grantee, keyID string) (map[uint64]bool, error) {
	existing, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: grantee})
	if err != nil {
		return nil, err
	}
	held := map[uint64]bool{}
	for _, e := range existing {
		if e.GranteeKeyID != keyID {
			return nil, fmt.Errorf("%w: %s holds grants to its key %s; revoke them before granting %s", ErrKeyChanged, grantee, e.GranteeKeyID, keyID)
		}
		held[e.Epoch] = true
	}
	return held, nil
}

// sealedToStore checks the client's sealed grants (each epoch once, none
// past the current one, the current one present, each of the size a grant
// to pub has) and returns those of epochs not held yet.
func (s *Service) sealedToStore(owner string, g SealedGrants, cur uint64, pub crypt.PublicKey, held map[uint64]bool) ([]store.KeyGrant, error) {
	size, err := crypt.SealedGrantSize(pub.KEMID)
	if err != nil {
		return nil, err
	}
	seen := map[uint64]bool{}
	var out []store.KeyGrant
	for _, sg := range g.Grants {
		switch {
		case sg.Epoch == 0 || sg.Epoch > cur:
			return nil, fmt.Errorf("%w: %s has epochs 1 to %d, not %d", ErrInvalid, g.Collection, cur, sg.Epoch)
		case seen[sg.Epoch]:
			return nil, fmt.Errorf("%w: epoch %d is sealed twice", ErrInvalid, sg.Epoch)
		case len(sg.Sealed) != size:
			return nil, fmt.Errorf("%w: the grant of epoch %d is %d bytes, a sealed grant is %d", ErrInvalid, sg.Epoch, len(sg.Sealed), size)
		}
		seen[sg.Epoch] = true
		if !held[sg.Epoch] {
			out = append(out, store.KeyGrant{OwnerDID: owner, Collection: g.Collection, Epoch: sg.Epoch, GranteeDID: g.Grantee,
				GranteeKeyID: pub.KeyID(), KEMID: pub.KEMID, SealedKey: sg.Sealed, CreatedAt: s.now()})
		}
	}
	if !seen[cur] && !held[cur] {
		return nil, fmt.Errorf("%w: %s is at epoch %d; seal it too", ErrStaleEpoch, g.Collection, cur)
	}
	return out, nil
}

// commitGrants stores new grants of existing epochs, atomically.
func (s *Service) commitGrants(ctx context.Context, collection, grantee string, grants []store.KeyGrant) error {
	if len(grants) == 0 {
		return nil
	}
	if err := s.st.AddKeyGrants(ctx, grants); err != nil {
		return fmt.Errorf("privacy: grant %s to %s: %w", collection, grantee, err)
	}
	return nil
}

// EpochGrant is a new epoch's key sealed to one reader: the owner or a
// remaining grantee.
type EpochGrant struct {
	Grantee      string
	GranteeKeyID string // the key it is sealed to: the reader's granted (or, for the owner, own) key
	Sealed       []byte
}

// NewEpoch is a new epoch the owner's client sealed
// (dev.hearthpds.private.revokeAccess, rotateKey).
type NewEpoch struct {
	Collection string
	// Epoch is the new epoch: the current one + 1 (1 creates the
	// collection), else ErrStaleEpoch.
	Epoch uint64
	// Revoke is the grantee revoked; "" for a rotation.
	Revoke string
	// Grants: the new key sealed to the owner and to exactly the active
	// grantees of the current epoch other than Revoke (ErrGrantSet).
	Grants []EpochGrant
	// Reencrypt: the client re-encrypts older records next (Reencrypt);
	// the result then says whether any is left.
	Reencrypt bool
}

// EpochResult tells what StartEpoch did.
type EpochResult struct {
	Epoch    uint64
	Resealed int  // grants of the new epoch, the owner's included
	Revoked  int  // grants marked revoked
	Pending  bool // with Reencrypt: records remain at older epochs
}

// StartEpoch starts the epoch the owner's client sealed: the rotation, its
// grants and the revoked grantee's grants marked revoked, in one atomic
// store call; then privacy.on_key_rotation is queued. Server side, owner
// only.
func (s *Service) StartEpoch(ctx context.Context, owner string, ne NewEpoch) (EpochResult, error) {
	if err := checkCollection(ne.Collection); err != nil {
		return EpochResult{}, err
	}
	cur, err := s.st.CurrentKeyEpoch(ctx, owner, ne.Collection)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return EpochResult{}, err
	}
	if ne.Epoch != cur+1 {
		return EpochResult{}, fmt.Errorf("%w: %s is at epoch %d, the next is %d, not %d", ErrStaleEpoch, ne.Collection, cur, cur+1, ne.Epoch)
	}
	reason, revoke, err := s.rotationOf(ctx, owner, ne, cur)
	if err != nil {
		return EpochResult{}, err
	}
	grants := make([]store.KeyGrant, len(ne.Grants))
	for i, g := range ne.Grants {
		grants[i] = store.KeyGrant{OwnerDID: owner, Collection: ne.Collection, Epoch: ne.Epoch, GranteeDID: g.Grantee,
			GranteeKeyID: g.GranteeKeyID, SealedKey: g.Sealed, CreatedAt: s.now()}
	}
	rot := store.KeyRotation{OwnerDID: owner, Collection: ne.Collection, Epoch: ne.Epoch, Reason: reason, ActorDID: owner, CreatedAt: s.now()}
	revoked, err := s.commitEpoch(ctx, rot, grants, revoke)
	if err != nil {
		return EpochResult{}, err
	}
	res := EpochResult{Epoch: ne.Epoch, Resealed: len(grants), Revoked: revoked}
	if ne.Reencrypt {
		res.Pending, err = s.pendingReencrypt(ctx, owner, ne.Collection, ne.Epoch)
	}
	return res, err
}

// rotationOf returns the reason of a new epoch and whom it revokes: a
// revoked grantee must hold grants (store.ErrNotFound otherwise), and
// epoch 1 revokes no one.
func (s *Service) rotationOf(ctx context.Context, owner string, ne NewEpoch, cur uint64) (string, []string, error) {
	switch {
	case ne.Revoke == "" && cur == 0:
		return store.RotationCreate, nil, nil
	case ne.Revoke == "":
		return store.RotationRotate, nil, nil
	case ne.Revoke == owner || cur == 0:
		return "", nil, fmt.Errorf("privacy: revoke %s on %s: %w", ne.Revoke, ne.Collection, store.ErrNotFound)
	}
	gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: ne.Collection, GranteeDID: ne.Revoke})
	if err != nil {
		return "", nil, err
	}
	if len(gs) == 0 {
		return "", nil, fmt.Errorf("privacy: revoke %s on %s: %w", ne.Revoke, ne.Collection, store.ErrNotFound)
	}
	return store.RotationRevoke, []string{ne.Revoke}, nil
}

// readerKey is the key a new epoch must be sealed to for one reader.
type readerKey struct {
	keyID string
	kem   uint16
}

// expectedReaders returns whom epoch cur+1 must be sealed to: the owner
// (its own key) and every active grantee of epoch cur not in revoke (the
// key it was granted), by DID.
func (s *Service) expectedReaders(ctx context.Context, owner, collection string, cur uint64, revoke []string) (map[string]readerKey, error) {
	k, err := s.st.GetUserKey(ctx, owner)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoIdentity, owner)
	}
	if err != nil {
		return nil, err
	}
	out := map[string]readerKey{owner: {keyID: k.KeyID, kem: k.KEMID}}
	if cur == 0 {
		return out, nil
	}
	active, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, Epoch: cur})
	if err != nil {
		return nil, err
	}
	for _, g := range active {
		if g.GranteeDID != owner && !slices.Contains(revoke, g.GranteeDID) {
			out[g.GranteeDID] = readerKey{keyID: g.GranteeKeyID, kem: g.KEMID}
		}
	}
	return out, nil
}

// checkEpochGrants checks that grants are sealed to exactly the expected
// readers, each to its key and of a sealed grant's size, and fills in
// their KEM.
func checkEpochGrants(grants []store.KeyGrant, expected map[string]readerKey) error {
	seen := map[string]bool{}
	var extra []string
	for i := range grants {
		g := &grants[i]
		exp, ok := expected[g.GranteeDID]
		switch {
		case seen[g.GranteeDID]:
			return fmt.Errorf("%w: two grants to %s", ErrInvalid, g.GranteeDID)
		case !ok:
			extra = append(extra, g.GranteeDID)
			continue
		case g.GranteeKeyID != exp.keyID:
			return fmt.Errorf("%w: %s holds key %s, the new grant is sealed to %s", ErrKeyChanged, g.GranteeDID, exp.keyID, g.GranteeKeyID)
		}
		seen[g.GranteeDID] = true
		g.KEMID = exp.kem
		size, err := crypt.SealedGrantSize(exp.kem)
		if err != nil {
			return err
		}
		if len(g.SealedKey) != size {
			return fmt.Errorf("%w: the grant to %s is %d bytes, a sealed grant is %d", ErrInvalid, g.GranteeDID, len(g.SealedKey), size)
		}
	}
	var missing []string
	for did := range expected {
		if !seen[did] {
			missing = append(missing, did)
		}
	}
	if len(missing)+len(extra) > 0 {
		slices.Sort(missing)
		slices.Sort(extra)
		return fmt.Errorf("%w: missing %v, not granted %v", ErrGrantSet, missing, extra)
	}
	return nil
}

// commitEpoch checks a new epoch's grants against the readers it must
// reach, stores the epoch atomically (store.ErrConflict when another
// rotation landed first), queues privacy.on_key_rotation (not for a
// collection's first epoch) and returns how many grants it revoked.
func (s *Service) commitEpoch(ctx context.Context, rot store.KeyRotation, grants []store.KeyGrant, revoke []string) (int, error) {
	expected, err := s.expectedReaders(ctx, rot.OwnerDID, rot.Collection, rot.Epoch-1, revoke)
	if err != nil {
		return 0, err
	}
	if err := checkEpochGrants(grants, expected); err != nil {
		return 0, fmt.Errorf("privacy: epoch %d of %s: %w", rot.Epoch, rot.Collection, err)
	}
	revoked := 0
	for _, did := range revoke {
		gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: rot.OwnerDID, Collection: rot.Collection, GranteeDID: did})
		if err != nil {
			return 0, err
		}
		revoked += len(gs)
	}
	if err := s.st.CreateKeyEpoch(ctx, rot, grants, revoke); err != nil {
		return 0, fmt.Errorf("privacy: start epoch %d of %s: %w", rot.Epoch, rot.Collection, err)
	}
	if rot.Reason != store.RotationCreate {
		ev := GrantEvent{Owner: rot.OwnerDID, Collection: rot.Collection, Epoch: rot.Epoch, Reason: rot.Reason}
		if len(revoke) > 0 {
			ev.Grantee = revoke[0]
		}
		s.notifyRotation(ctx, ev)
	}
	return revoked, nil
}

// Reencrypted is a record the owner's client re-sealed at the current
// epoch, replacing the envelope at PrevEpoch under the same rkey MAC.
type Reencrypted struct {
	RKeyMAC   []byte
	PrevEpoch uint64
	Envelope  []byte
}

// ReencryptResult tells what Reencrypt did.
type ReencryptResult struct {
	Reencrypted int
	Pending     bool // records remain at older epochs
}

// Reencrypt replaces up to MaxReencryptBatch envelopes with the owner's
// client's re-sealed ones, atomically: each new envelope must be at the
// current epoch (ErrStaleEpoch) and each record still at its PrevEpoch,
// older than the current one (store.ErrConflict when one changed or went
// meanwhile: list again). Server side, owner only.
func (s *Service) Reencrypt(ctx context.Context, owner, collection string, rs []Reencrypted) (ReencryptResult, error) {
	if err := checkCollection(collection); err != nil {
		return ReencryptResult{}, err
	}
	if len(rs) > MaxReencryptBatch {
		return ReencryptResult{}, fmt.Errorf("%w: at most %d records per batch", ErrInvalid, MaxReencryptBatch)
	}
	cur, err := s.st.CurrentKeyEpoch(ctx, owner, collection)
	if err != nil {
		return ReencryptResult{}, fmt.Errorf("privacy: re-encrypt %s: %w", collection, err)
	}
	ups, err := s.reencryptUpdates(owner, collection, cur, rs)
	if err != nil {
		return ReencryptResult{}, err
	}
	if len(ups) > 0 {
		if err := s.st.PutPrivateRecords(ctx, ups); err != nil {
			return ReencryptResult{}, fmt.Errorf("privacy: re-encrypt %s (a record changed or went meanwhile: list again): %w", collection, err)
		}
	}
	pending, err := s.pendingReencrypt(ctx, owner, collection, cur)
	return ReencryptResult{Reencrypted: len(ups), Pending: pending}, err
}

// reencryptUpdates checks re-sealed records and returns their updates.
func (s *Service) reencryptUpdates(owner, collection string, cur uint64, rs []Reencrypted) ([]store.PrivateRecordUpdate, error) {
	seen := map[string]bool{}
	ups := make([]store.PrivateRecordUpdate, 0, len(rs))
	for _, r := range rs {
		if len(r.RKeyMAC) != sha256.Size {
			return nil, fmt.Errorf("%w: an rkey MAC is %d bytes", ErrInvalid, sha256.Size)
		}
		if seen[string(r.RKeyMAC)] {
			return nil, fmt.Errorf("%w: a record is re-encrypted twice", ErrInvalid)
		}
		seen[string(r.RKeyMAC)] = true
		epoch, err := crypt.EnvelopeEpoch(r.Envelope)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if epoch != cur {
			return nil, fmt.Errorf("%w: envelope at %d, collection at %d", ErrStaleEpoch, epoch, cur)
		}
		if r.PrevEpoch == 0 || r.PrevEpoch >= cur {
			return nil, fmt.Errorf("%w: prevEpoch %d is not older than the current epoch %d", ErrInvalid, r.PrevEpoch, cur)
		}
		ups = append(ups, store.PrivateRecordUpdate{Prev: r.PrevEpoch, PrivateRecord: store.PrivateRecord{
			OwnerDID: owner, Collection: collection, RKeyMAC: r.RKeyMAC, Epoch: cur, Envelope: r.Envelope, CID: cidOf(r.Envelope), Rev: s.rev()}})
	}
	return ups, nil
}

// pendingReencrypt reports whether records of the collection remain at an
// epoch older than epoch.
func (s *Service) pendingReencrypt(ctx context.Context, owner, collection string, epoch uint64) (bool, error) {
	if epoch <= 1 {
		return false, nil
	}
	rs, err := s.st.ListPrivateRecords(ctx, owner, collection, store.PrivateListOptions{Limit: 1, MaxEpoch: epoch - 1})
	return len(rs) > 0, err
}
