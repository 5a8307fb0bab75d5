package xrpc

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/repo"
)

// PrivateCollections tells which collections an account keeps private
// records in (privacy.Service implements it).
type PrivateCollections interface {
	IsPrivateCollection(ctx context.Context, did, collection string) (bool, error)
}

// refusePrivateWrites refuses public creates and updates of records in a
// collection the account keeps private records in, with a 400 naming the
// collection: a private collection is private as a whole, so its NSID
// never also means public records. Deletes pass (they publish nothing).
func (h *RepoHandlers) refusePrivateWrites(ctx context.Context, did string, writes []repo.Write) error {
	if h.Private == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, w := range writes {
		if w.Action == repo.Delete || seen[w.Collection] {
			continue
		}
		seen[w.Collection] = true
		private, err := h.Private.IsPrivateCollection(ctx, did, w.Collection)
		if err != nil {
			return err
		}
		if private {
			return Errorf(http.StatusBadRequest, "PrivateCollection",
				"%s is a private collection of this account: write its records with dev.hearthpds.private.putRecord", w.Collection)
		}
	}
	return nil
}
