package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// PreviewPrivateGrant finds the key a grant of collection to who (a handle
// or DID) would be sealed to, for the owner to compare its fingerprint
// with the one the grantee sees, before granting.
func (a *App) PreviewPrivateGrant(collection, who string) (GranteeKeyInfo, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return GranteeKeyInfo{}, err
	}
	defer cancel()
	if strings.TrimSpace(who) == "" {
		return GranteeKeyInfo{}, invalid("give the handle or DID of the person to share with")
	}
	did, err := op.run.srv.Delegation().ResolveAccount(op.ctx, who)
	if err != nil {
		return GranteeKeyInfo{}, uiError(err)
	}
	if did == op.did {
		return GranteeKeyInfo{}, invalid("you can always read your own private records: name someone else")
	}
	return op.granteeKey(collection, did)
}

// granteeKey resolves did's published key and compares it with its grants.
func (op *privateOp) granteeKey(collection, did string) (GranteeKeyInfo, error) {
	pub, err := op.svc.ResolveGranteeKey(op.ctx, did)
	if err != nil {
		return GranteeKeyInfo{}, keyLookupError(did, err)
	}
	info := GranteeKeyInfo{DID: did, Handle: op.run.srv.Delegation().HandleOf(op.ctx, did), KeyID: pub.KeyID(), KEMID: int(pub.KEMID)}
	held, err := op.grantsOf(collection, did)
	if err != nil {
		return GranteeKeyInfo{}, err
	}
	if len(held) > 0 {
		info.PreviousKeyID = held[0].GranteeKeyID
		info.KeyChanged = info.PreviousKeyID != info.KeyID
		info.AlreadyGranted = !info.KeyChanged
	}
	return info, nil
}

// grantsOf lists did's active grants of collection.
func (op *privateOp) grantsOf(collection, did string) ([]store.KeyGrant, error) {
	gs, err := op.svc.ListGrants(op.ctx, op.did, collection, false)
	if err != nil {
		return nil, privateError(err)
	}
	return slices.DeleteFunc(gs, func(g store.KeyGrant) bool { return g.GranteeDID != did }), nil
}

// keyLookupError explains a grantee key that could not be found.
func keyLookupError(did string, err error) error {
	if errors.Is(err, crypt.ErrMalformed) || errors.Is(err, crypt.ErrUnsupportedKEM) {
		return fmt.Errorf("%s publishes an encryption key this app cannot use: %v (InvalidKey)", did, err)
	}
	return fmt.Errorf("%s has no encryption key that could be fetched: they need to set up private records in their own app first (%v) (KeyNotFound)", did, err)
}

// GrantPrivateAccess lets someone read a private collection (its existing
// records too): every key epoch sealed to the key the owner checked. A
// key that changed since the preview is refused; re-sealing to a key that
// changed since an earlier grant needs ConfirmKeyChange.
func (a *App) GrantPrivateAccess(in PrivateGrantInput) (PrivateGrantee, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateGrantee{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(in.Collection); err != nil {
		return PrivateGrantee{}, err
	}
	if err := op.mayWrite(); err != nil {
		return PrivateGrantee{}, err
	}
	if err := op.notPublic(in.Collection); err != nil {
		return PrivateGrantee{}, err
	}
	key, err := op.confirmedKey(in)
	if err != nil {
		return PrivateGrantee{}, err
	}
	gs, err := op.svc.Grant(op.ctx, op.did, in.Collection, in.DID, key)
	if err != nil {
		return PrivateGrantee{}, privateError(err)
	}
	a.log.Info("private collection shared", "collection", in.Collection, "grantee", in.DID, "keyId", key.KeyID())
	out := granteesOf(gs, op.did, newHandles(op))
	if len(out) == 0 {
		return PrivateGrantee{}, uiError(fmt.Errorf("the grant to %s was not stored", in.DID))
	}
	return out[0], nil
}

// confirmedKey resolves the grantee's key again and checks it is the one
// the owner confirmed.
func (op *privateOp) confirmedKey(in PrivateGrantInput) (crypt.PublicKey, error) {
	if _, err := syntax.ParseDID(in.DID); err != nil || in.DID == op.did {
		return crypt.PublicKey{}, invalid("check the person's key first (a DID other than yours)")
	}
	pub, err := op.svc.ResolveGranteeKey(op.ctx, in.DID)
	if err != nil {
		return crypt.PublicKey{}, keyLookupError(in.DID, err)
	}
	if pub.KeyID() != in.KeyID {
		return crypt.PublicKey{}, fmt.Errorf("%s now publishes the key %s, not the %s you checked: check it again (KeyChanged)",
			in.DID, pub.KeyID(), in.KeyID)
	}
	held, err := op.grantsOf(in.Collection, in.DID)
	if err != nil {
		return crypt.PublicKey{}, err
	}
	if len(held) > 0 && held[0].GranteeKeyID != pub.KeyID() && !in.ConfirmKeyChange {
		return crypt.PublicKey{}, fmt.Errorf("%s's key changed from %s to %s since you shared %s with them: "+
			"confirm the new key to re-seal the collection to it (KeyChanged)", in.DID, held[0].GranteeKeyID, pub.KeyID(), in.Collection)
	}
	return pub, nil
}

// ListPrivateGrants lists who can read a private collection, then whose
// access was revoked.
func (a *App) ListPrivateGrants(collection string) ([]PrivateGrantee, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return nil, err
	}
	defer cancel()
	gs, err := op.svc.ListGrants(op.ctx, op.did, collection, true)
	if err != nil {
		return nil, privateError(err)
	}
	return granteesOf(gs, op.did, newHandles(op)), nil
}

// granteesOf groups grants by grantee: people with active grants first
// (oldest grant first), then revoked ones (latest revocation first).
func granteesOf(gs []store.KeyGrant, owner string, handles func(string) string) []PrivateGrantee {
	by := map[string]*PrivateGrantee{}
	var order []string
	for _, g := range gs {
		if g.GranteeDID == owner {
			continue
		}
		p := by[g.GranteeDID]
		if p == nil {
			p = &PrivateGrantee{DID: g.GranteeDID, Epochs: []uint64{}}
			by[g.GranteeDID] = p
			order = append(order, g.GranteeDID)
		}
		addGrant(p, g)
	}
	out := make([]PrivateGrantee, 0, len(order))
	for _, did := range order {
		p := by[did]
		p.Handle = handles(did)
		slices.Sort(p.Epochs)
		out = append(out, *p)
	}
	slices.SortStableFunc(out, func(x, y PrivateGrantee) int {
		switch {
		case x.Active != y.Active:
			if x.Active {
				return -1
			}
			return 1
		case x.Active:
			return strings.Compare(x.GrantedAt, y.GrantedAt)
		}
		return strings.Compare(y.RevokedAt, x.RevokedAt)
	})
	return out
}

// addGrant folds one grant row into its grantee: active grants win over
// revoked ones (a person revoked, then granted again, is active).
func addGrant(p *PrivateGrantee, g store.KeyGrant) {
	at := timeString(g.CreatedAt)
	switch {
	case g.Active() && !p.Active:
		*p = PrivateGrantee{DID: p.DID, KeyID: g.GranteeKeyID, Epochs: []uint64{}, GrantedAt: at, Active: true}
	case !g.Active() && p.Active:
		return
	}
	p.Epochs = append(p.Epochs, g.Epoch)
	if p.GrantedAt == "" || at < p.GrantedAt {
		p.GrantedAt = at
	}
	if !g.Active() {
		p.KeyID = g.GranteeKeyID
		if r := timeString(*g.RevokedAt); r > p.RevokedAt {
			p.RevokedAt = r
		}
	}
}

// newHandles returns a lookup of handles that asks once per DID.
func newHandles(op *privateOp) func(string) string {
	seen := map[string]string{}
	return func(did string) string {
		h, ok := seen[did]
		if !ok {
			h = op.run.srv.Delegation().HandleOf(op.ctx, did)
			seen[did] = h
		}
		return h
	}
}

// RevokePrivateAccess ends someone's access to a private collection: a new
// key for everything written from now on, sealed to the remaining
// people, and the server refuses them every epoch. With hard, older
// records are also re-encrypted under the new key. What they already
// downloaded stays readable to them.
func (a *App) RevokePrivateAccess(collection, did string, hard bool) (PrivateRevokeResult, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return PrivateRevokeResult{}, err
	}
	defer cancel()
	res, err := op.svc.Revoke(op.ctx, op.did, collection, strings.TrimSpace(did), privacy.RevokeOptions{Reencrypt: hard})
	if errors.Is(err, store.ErrNotFound) {
		return PrivateRevokeResult{}, fmt.Errorf("%s cannot read %s (GrantNotFound)", did, collection)
	}
	if err != nil {
		return PrivateRevokeResult{}, privateError(err)
	}
	a.log.Info("private access revoked", "collection", collection, "grantee", did, "epoch", res.Epoch, "reencrypted", res.Reencrypted)
	return PrivateRevokeResult(res), nil
}

// RotatePrivateCollection starts a new key epoch without revoking anyone
// (records written from now on use the new key); with reencrypt, older
// records are re-encrypted under it.
func (a *App) RotatePrivateCollection(collection string, reencrypt bool) (PrivateRevokeResult, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return PrivateRevokeResult{}, err
	}
	defer cancel()
	res, err := op.svc.Rotate(op.ctx, op.did, collection, reencrypt)
	if errors.Is(err, store.ErrNotFound) {
		return PrivateRevokeResult{}, fmt.Errorf("%s is not one of your private collections (CollectionNotFound)", collection)
	}
	if err != nil {
		return PrivateRevokeResult{}, privateError(err)
	}
	a.log.Info("private collection key rotated", "collection", collection, "epoch", res.Epoch)
	return PrivateRevokeResult(res), nil
}

// PrivateRotations lists a collection's key epochs, newest first, with the
// people whose access ended with each.
func (a *App) PrivateRotations(collection string) ([]PrivateRotation, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return nil, err
	}
	defer cancel()
	rots, err := op.svc.Rotations(op.ctx, op.did, collection)
	if err != nil {
		return nil, privateError(err)
	}
	gs, err := op.svc.ListGrants(op.ctx, op.did, collection, true)
	if err != nil {
		return nil, privateError(err)
	}
	handles := newHandles(op)
	out := make([]PrivateRotation, 0, len(rots))
	for i := len(rots) - 1; i >= 0; i-- {
		r := rots[i]
		out = append(out, PrivateRotation{Epoch: r.Epoch, Reason: r.Reason, CreatedAt: timeString(r.CreatedAt),
			Revoked: revokedAt(gs, r.CreatedAt, op.did, handles)})
	}
	return out, nil
}

// revokedAt lists the people whose grants were revoked at t (a revocation
// marks them with its rotation's time).
func revokedAt(gs []store.KeyGrant, t time.Time, owner string, handles func(string) string) []PersonRef {
	out := []PersonRef{}
	seen := map[string]bool{}
	for _, g := range gs {
		if g.RevokedAt == nil || !g.RevokedAt.Equal(t) || g.GranteeDID == owner || seen[g.GranteeDID] {
			continue
		}
		seen[g.GranteeDID] = true
		out = append(out, PersonRef{DID: g.GranteeDID, Handle: handles(g.GranteeDID)})
	}
	return out
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return timeString(*t)
}
