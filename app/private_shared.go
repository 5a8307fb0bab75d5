package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/backend/store"
)

// "Shared with me": the private collections other people (on this server
// or any other PDS) shared with the owner, read through the server's
// privacy service (privacy.Service.ReadGranted) and decrypted here with
// the owner's own key. Nothing indexes who shared what (grants live on
// the owners' PDSes), so the owner names the person and the collection;
// the collections opened before are remembered in private.json.

// maxSharedRefs is how many opened shared collections private.json keeps.
const maxSharedRefs = 20

// SharedRecord is a decrypted record of a collection shared with the
// owner.
type SharedRecord struct {
	RKey      string `json:"rkey"`
	Preview   string `json:"preview"`
	CreatedAt string `json:"createdAt,omitempty"`
	// Epoch is the key epoch the record is encrypted at.
	Epoch uint64 `json:"epoch"`
	// JSON is the record pretty-printed.
	JSON string `json:"json"`
	// CID is the envelope's (the ciphertext's) CID.
	CID string `json:"cid"`
}

// SharedCollection is everything of a collection someone shared with the
// owner, decrypted: its records sorted by rkey, newest TIDs first.
type SharedCollection struct {
	OwnerDID    string         `json:"ownerDid"`
	OwnerHandle string         `json:"ownerHandle"`
	Collection  string         `json:"collection"`
	Records     []SharedRecord `json:"records"`
	ReadAt      string         `json:"readAt"`
}

// SharedRef is a shared collection the owner opened before.
type SharedRef struct {
	OwnerDID    string `json:"ownerDid"`
	OwnerHandle string `json:"ownerHandle"`
	Collection  string `json:"collection"`
	OpenedAt    string `json:"openedAt"`
}

// ReadSharedCollection reads and decrypts every record of the collection
// owner (a handle or DID) shared with the owner of this app, and
// remembers it for SharedCollections.
func (a *App) ReadSharedCollection(owner, collection string) (SharedCollection, error) {
	collection = strings.TrimSpace(collection)
	if strings.TrimSpace(owner) == "" {
		return SharedCollection{}, invalid("give the handle or DID of the person who shared the collection")
	}
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return SharedCollection{}, err
	}
	defer cancel()
	did, err := op.run.srv.Delegation().ResolveAccount(op.ctx, owner)
	if errors.Is(err, delegation.ErrAccountNotFound) {
		return SharedCollection{}, fmt.Errorf("No account was found%s (AccountNotFound)", colon(after(err, delegation.ErrAccountNotFound)))
	}
	if err != nil {
		return SharedCollection{}, uiError(err)
	}
	if did == op.did {
		return SharedCollection{}, invalid("that is you: your own private collections are listed above")
	}
	handle := op.run.srv.Delegation().HandleOf(op.ctx, did)
	// name starts the error sentences: "@handle", else "The account did:…"
	// (the window capitalises an error's first letter).
	name := "@" + handle
	if handle == "" {
		name = "The account " + did
	}
	recs, err := op.svc.ReadGranted(op.ctx, op.did, did, collection)
	if err != nil {
		return SharedCollection{}, sharedError(err, name, collection, func() bool {
			_, pendErr := op.run.srv.Accounts().PendingGenesis(op.ctx, op.did)
			return pendErr == nil
		})
	}
	out := SharedCollection{OwnerDID: did, OwnerHandle: handle, Collection: collection,
		Records: make([]SharedRecord, 0, len(recs)), ReadAt: timeString(time.Now())}
	for _, r := range recs {
		s := summarizePrivate(r)
		var pretty strings.Builder
		if err := indentJSON(&pretty, r.Value); err != nil {
			pretty.Reset()
			pretty.Write(r.Value)
		}
		out.Records = append(out.Records, SharedRecord{RKey: r.RKey, Preview: s.Preview, CreatedAt: s.CreatedAt, Epoch: r.Epoch,
			JSON: pretty.String(), CID: r.CID})
	}
	slices.SortFunc(out.Records, func(x, y SharedRecord) int { return strings.Compare(y.RKey, x.RKey) })
	a.log.Info("shared collection read", "owner", did, "collection", collection, "records", len(out.Records))
	if err := a.rememberShared(op.did, SharedRef{OwnerDID: did, OwnerHandle: handle, Collection: collection, OpenedAt: out.ReadAt}); err != nil {
		a.log.Warn("remember a shared collection", "err", err)
	}
	return out, nil
}

// sharedError puts ReadGranted's errors in the user's words; name is
// the owner as a sentence starts with it ("@olive.test"). unpublished tells whether the app's
// account is still local-first, which other servers refuse.
func sharedError(err error, name, collection string, unpublished func() bool) error {
	switch {
	case errors.Is(err, privacy.ErrForbidden):
		return fmt.Errorf("%s has not shared %s with you, or no longer does (Forbidden)", name, collection)
	case errors.Is(err, crypt.ErrGrantOpen):
		return fmt.Errorf("%s shared %s with another encryption key than the one this computer holds: "+
			"ask them to check your key ID and share it with you again (KeyMismatch)", name, collection)
	}
	if _, _, ok := explainPrivate(err); ok {
		return privateError(err)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%s has not shared %s with you, or no longer does (Forbidden)", name, collection)
	case unpublished():
		return fmt.Errorf("your account is not in the PLC directory yet (it goes there when you go public), "+
			"so the server of %s cannot check that it is you asking (NotPublished)", lowerFirst(name))
	case errors.Is(err, remote.ErrNotFound):
		return fmt.Errorf("the server of %s does not serve private records this app can read (%v) (UpstreamFailure)", lowerFirst(name), err)
	}
	return fmt.Errorf("could not read %s from the server of %s: %v (UpstreamFailure)", collection, lowerFirst(name), err)
}

// lowerFirst is name inside a sentence ("the account did:…").
func lowerFirst(name string) string {
	return strings.Replace(name, "The account ", "the account ", 1)
}

// rememberShared puts ref first in did's list of opened shared
// collections.
func (a *App) rememberShared(did string, ref SharedRef) error {
	privateFileMu.Lock()
	defer privateFileMu.Unlock()
	f, err := a.readPrivateFile(did)
	if err != nil {
		return err
	}
	f.Shared = slices.DeleteFunc(f.Shared, func(r SharedRef) bool { return r.OwnerDID == ref.OwnerDID && r.Collection == ref.Collection })
	f.Shared = append([]SharedRef{ref}, f.Shared...)
	if len(f.Shared) > maxSharedRefs {
		f.Shared = f.Shared[:maxSharedRefs]
	}
	return a.writePrivateFile(f)
}

// SharedCollections lists the collections shared with the owner that the
// owner opened before, last opened first.
func (a *App) SharedCollections() ([]SharedRef, error) {
	did, err := a.ownerDID()
	if err != nil {
		return nil, err
	}
	privateFileMu.Lock()
	defer privateFileMu.Unlock()
	f, err := a.readPrivateFile(did)
	if err != nil {
		return nil, uiError(err)
	}
	if f.Shared == nil {
		return []SharedRef{}, nil
	}
	return f.Shared, nil
}

// ForgetSharedCollection takes a collection off the list of those opened
// before (owner is its owner's DID or handle). The owner's access is not
// changed.
func (a *App) ForgetSharedCollection(owner, collection string) ([]SharedRef, error) {
	did, err := a.ownerDID()
	if err != nil {
		return nil, err
	}
	owner = strings.TrimPrefix(strings.TrimSpace(owner), "@")
	privateFileMu.Lock()
	defer privateFileMu.Unlock()
	f, err := a.readPrivateFile(did)
	if err != nil {
		return nil, uiError(err)
	}
	f.Shared = slices.DeleteFunc(f.Shared, func(r SharedRef) bool {
		return r.Collection == collection && (r.OwnerDID == owner || (r.OwnerHandle != "" && strings.EqualFold(r.OwnerHandle, owner)))
	})
	if err := a.writePrivateFile(f); err != nil {
		return nil, uiError(fmt.Errorf("forget the shared collection: %w", err))
	}
	if f.Shared == nil {
		return []SharedRef{}, nil
	}
	return f.Shared, nil
}
