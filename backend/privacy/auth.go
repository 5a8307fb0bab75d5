package privacy

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// authorize lets requester read owner's collection: the owner always, a
// grantee while it holds an active grant of the collection's current epoch
// (a revoked grantee is refused at every epoch). It returns the current
// epoch.
func (s *Service) authorize(ctx context.Context, requester, owner, collection string) (uint64, error) {
	epoch, err := s.st.CurrentKeyEpoch(ctx, owner, collection)
	if errors.Is(err, store.ErrNotFound) {
		if requester == owner {
			return 0, err
		}
		return 0, ErrForbidden // do not tell others whether the collection exists
	}
	if err != nil {
		return 0, err
	}
	if requester == owner {
		return epoch, nil
	}
	gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: collection, GranteeDID: requester, Epoch: epoch})
	if err != nil {
		return 0, err
	}
	if len(gs) == 0 {
		return 0, fmt.Errorf("%w: %s in %s %s", ErrForbidden, requester, owner, collection)
	}
	return epoch, nil
}

// hasAnyGrant reports whether requester may read something of owner: the
// owner, or an active grantee of any collection's current epoch. Used for
// blobs, whose collection the server does not know.
func (s *Service) hasAnyGrant(ctx context.Context, requester, owner string) error {
	if requester == owner {
		return nil
	}
	cs, err := s.st.ListPrivateCollections(ctx, owner)
	if err != nil {
		return err
	}
	for _, c := range cs {
		gs, err := s.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: owner, Collection: c.Collection, GranteeDID: requester, Epoch: c.Epoch})
		if err != nil {
			return err
		}
		if len(gs) > 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: %s has no grant from %s", ErrForbidden, requester, owner)
}
