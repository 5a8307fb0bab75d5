package xrpc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// DIDDocuments returns the DID documents of hosted accounts.
type DIDDocuments interface {
	DIDDocument(ctx context.Context, did string) (any, error)
}

// RepoHandlers serves com.atproto.repo.*.
type RepoHandlers struct {
	Store  store.Store
	Engine *repo.Engine
	Docs   DIDDocuments // may be nil: describeRepo then omits didDoc
	// Private refuses public writes to private collections; nil: none.
	Private PrivateCollections

	readsOnce sync.Once
	reads     *expirable.LRU[string, readEntry] // see readAccount
	versions  repo.AccountsVersioner            // nil when the store has none
}

// readCacheTTL bounds how long a public read may see an account as it was
// when the store cannot tell when accounts change (a PostgreSQL database
// that other instances write too: a handle change or a takedown there shows
// within it).
const readCacheTTL = time.Second

// readEntry is a cached account of a public read, with the store's
// accounts version read before the account was.
type readEntry struct {
	acct    store.Account
	version uint64
}

// readAccount resolves the repo of a public read (getRecord, listRecords,
// describeRepo) through a short-lived cache: every read needs the account,
// and reading it was a fifth of a getRecord's CPU. Only the DID, handle and
// status are kept; writes use the account authentication read. When the
// store versions account changes (repo.AccountsVersioner), an entry is used
// only while no account changed since it was read, so a takedown, a status
// or handle change or a deletion is seen by the very next read.
func (h *RepoHandlers) readAccount(ctx context.Context, id syntax.AtIdentifier) (store.Account, error) {
	h.readsOnce.Do(func() {
		h.reads = expirable.NewLRU[string, readEntry](4096, nil, readCacheTTL)
		h.versions = findVersioner(h.Store)
	})
	var version uint64
	if h.versions != nil {
		version = h.versions.AccountsVersion()
	}
	key := id.Normalize().String()
	e, ok := h.reads.Get(key)
	if !ok || e.version != version {
		full, err := lookupAccount(ctx, h.Store, id)
		if err != nil {
			return full, err
		}
		e = readEntry{acct: store.Account{DID: full.DID, Handle: full.Handle, Status: full.Status, TakedownRef: full.TakedownRef}, version: version}
		h.reads.Add(key, e)
	}
	acct := e.acct
	if acct.Status == store.StatusTakendown || acct.TakedownRef != "" {
		// A taken-down repo is not served, as if it were not hosted here
		// (the reference PDS's getDidForActor leaves it out).
		return store.Account{}, Errorf(http.StatusNotFound, "RepoNotFound", "Could not find repo: %s", id)
	}
	return acct, nil
}

// findVersioner returns the repo.AccountsVersioner among st and the stores
// it wraps, or nil.
func findVersioner(st store.Store) repo.AccountsVersioner {
	for st != nil {
		if v, ok := st.(repo.AccountsVersioner); ok {
			return v
		}
		u, ok := st.(interface{ Unwrap() store.Store })
		if !ok {
			return nil
		}
		st = u.Unwrap()
	}
	return nil
}

// Methods returns the methods to register.
func (h *RepoHandlers) Methods() []Method {
	return []Method{
		{NSID: "com.atproto.repo.createRecord", Kind: Procedure, Auth: AccessAuth, Handler: h.createRecord},
		{NSID: "com.atproto.repo.putRecord", Kind: Procedure, Auth: AccessAuth, Handler: h.putRecord},
		{NSID: "com.atproto.repo.deleteRecord", Kind: Procedure, Auth: AccessAuth, Handler: h.deleteRecord},
		{NSID: "com.atproto.repo.applyWrites", Kind: Procedure, Auth: AccessAuth, Handler: h.applyWrites},
		{NSID: "com.atproto.repo.getRecord", Kind: Query, Auth: OptionalAuth, Handler: h.getRecord},
		{NSID: "com.atproto.repo.listRecords", Kind: Query, Auth: OptionalAuth, Handler: h.listRecords},
		{NSID: "com.atproto.repo.describeRepo", Kind: Query, Auth: OptionalAuth, Handler: h.describeRepo},
	}
}

// lookupAccount resolves a DID or handle to a hosted account.
func lookupAccount(ctx context.Context, st store.Accounts, id syntax.AtIdentifier) (store.Account, error) {
	var acct store.Account
	var err error
	if id.IsDID() {
		acct, err = st.GetAccount(ctx, id.String())
	} else {
		acct, err = st.GetAccountByHandle(ctx, id.Normalize().String())
	}
	if errors.Is(err, store.ErrNotFound) {
		return acct, Errorf(http.StatusNotFound, "RepoNotFound", "Could not find repo: %s", id)
	}
	return acct, err
}

// writableRepo checks that the viewer may write the repo named in a body
// and returns its DID.
func (h *RepoHandlers) writableRepo(ctx context.Context, c *Call, repoID string) (string, error) {
	if repoID == "" {
		return "", invalidRequest("Input must have the property \"repo\"")
	}
	id, err := syntax.ParseAtIdentifier(repoID)
	if err != nil {
		return "", invalidRequest("repo must be a valid handle or did: %q", repoID)
	}
	var acct store.Account
	if v := c.Viewer; v.account != nil && (id.String() == v.DID || strings.EqualFold(id.String(), v.account.Handle)) {
		acct = *v.account // read moments ago by authentication
	} else if acct, err = lookupAccount(ctx, h.Store, id); err != nil {
		return "", err
	}
	if acct.DID != c.Viewer.DID {
		return "", forbidden("you may only write to your own repo")
	}
	if acct.Status != store.StatusActive {
		return "", Errorf(http.StatusBadRequest, "AccountDeactivated", "account is %s", acct.Status)
	}
	return acct.DID, nil
}

func validation(v *bool) repo.Validation {
	switch {
	case v == nil:
		return repo.ValidateAuto
	case *v:
		return repo.ValidateRequire
	}
	return repo.ValidateSkip
}

func commitOut(info *repo.CommitInfo) *commitMeta {
	if info == nil {
		return nil
	}
	return &commitMeta{CID: info.CID.String(), Rev: info.Rev}
}

type createRecordIn struct {
	Repo       string      `json:"repo"`
	Collection string      `json:"collection"`
	RKey       string      `json:"rkey"`
	Validate   *bool       `json:"validate"`
	Record     recordValue `json:"record"`
	SwapCommit *jsonCID    `json:"swapCommit"`
}

type recordWriteOut struct {
	URI              string      `json:"uri"`
	CID              string      `json:"cid"`
	Commit           *commitMeta `json:"commit,omitempty"`
	ValidationStatus string      `json:"validationStatus,omitempty"`
}

func (h *RepoHandlers) createRecord(ctx context.Context, c *Call) (any, error) {
	var in createRecordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := h.writableRepo(ctx, c, in.Repo)
	if err != nil {
		return nil, err
	}
	if in.Collection == "" || in.Record.m == nil {
		return nil, invalidRequest("Input must have the properties \"collection\" and \"record\"")
	}
	if err := c.RequireRepo(in.Collection, scopes.ActionCreate); err != nil {
		return nil, err
	}
	w := repo.Write{Action: repo.Create, Collection: in.Collection, RKey: in.RKey, Record: in.Record.m}
	return h.writeOne(ctx, c, did, w, in.SwapCommit, in.Validate)
}

type putRecordIn struct {
	Repo       string      `json:"repo"`
	Collection string      `json:"collection"`
	RKey       string      `json:"rkey"`
	Validate   *bool       `json:"validate"`
	Record     recordValue `json:"record"`
	SwapRecord nullableCID `json:"swapRecord"`
	SwapCommit *jsonCID    `json:"swapCommit"`
}

func (h *RepoHandlers) putRecord(ctx context.Context, c *Call) (any, error) {
	var in putRecordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := h.writableRepo(ctx, c, in.Repo)
	if err != nil {
		return nil, err
	}
	if in.Collection == "" || in.RKey == "" || in.Record.m == nil {
		return nil, invalidRequest("Input must have the properties \"collection\", \"rkey\" and \"record\"")
	}
	// A put creates or updates: it needs both, as in the reference PDS.
	for _, a := range []scopes.Action{scopes.ActionCreate, scopes.ActionUpdate} {
		if err := c.RequireRepo(in.Collection, a); err != nil {
			return nil, err
		}
	}
	w := repo.Write{Action: repo.Put, Collection: in.Collection, RKey: in.RKey, Record: in.Record.m}
	if in.SwapRecord.Set {
		w.Swap = &repo.Swap{CID: in.SwapRecord.CID}
	}
	return h.writeOne(ctx, c, did, w, in.SwapCommit, in.Validate)
}

func (h *RepoHandlers) writeOne(ctx context.Context, c *Call, did string, w repo.Write, swapCommit *jsonCID, validate *bool) (any, error) {
	if err := h.refusePrivateWrites(ctx, did, []repo.Write{w}); err != nil {
		return nil, err
	}
	if err := h.checkBlobs(ctx, did, []repo.Write{w}); err != nil {
		return nil, err
	}
	res, err := h.Engine.Apply(ctx, did, []repo.Write{w}, repo.ApplyOptions{Actor: actorOf(ctx), SwapCommit: swapCommit.ptr(), Validate: validation(validate)})
	if err != nil {
		return nil, err
	}
	c.auditWrites(ctx, res.Writes)
	r := res.Writes[0]
	return recordWriteOut{URI: r.URI(did), CID: r.CID.String(), Commit: commitOut(res.Commit), ValidationStatus: r.ValidationStatus}, nil
}

type deleteRecordIn struct {
	Repo       string   `json:"repo"`
	Collection string   `json:"collection"`
	RKey       string   `json:"rkey"`
	SwapRecord *jsonCID `json:"swapRecord"`
	SwapCommit *jsonCID `json:"swapCommit"`
}

type deleteRecordOut struct {
	Commit *commitMeta `json:"commit,omitempty"`
}

func (h *RepoHandlers) deleteRecord(ctx context.Context, c *Call) (any, error) {
	var in deleteRecordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := h.writableRepo(ctx, c, in.Repo)
	if err != nil {
		return nil, err
	}
	if in.Collection == "" || in.RKey == "" {
		return nil, invalidRequest("Input must have the properties \"collection\" and \"rkey\"")
	}
	if err := c.RequireRepo(in.Collection, scopes.ActionDelete); err != nil {
		return nil, err
	}
	w := repo.Write{Action: repo.Delete, Collection: in.Collection, RKey: in.RKey}
	if in.SwapRecord != nil {
		w.Swap = &repo.Swap{CID: in.SwapRecord.ptr()}
	}
	res, err := h.Engine.Apply(ctx, did, []repo.Write{w}, repo.ApplyOptions{Actor: actorOf(ctx), SwapCommit: in.SwapCommit.ptr()})
	if errors.Is(err, repo.ErrRecordNotFound) && w.Swap == nil {
		return deleteRecordOut{}, nil // deleting what is gone is not an error
	}
	if err != nil {
		return nil, err
	}
	c.auditWrites(ctx, res.Writes)
	return deleteRecordOut{Commit: commitOut(res.Commit)}, nil
}

type applyWritesIn struct {
	Repo       string       `json:"repo"`
	Validate   *bool        `json:"validate"`
	Writes     []writeInput `json:"writes"`
	SwapCommit *jsonCID     `json:"swapCommit"`
}

type writeInput struct {
	Type       string      `json:"$type"`
	Collection string      `json:"collection"`
	RKey       string      `json:"rkey"`
	Value      recordValue `json:"value"`
}

const applyWritesNS = "com.atproto.repo.applyWrites"

func (wi writeInput) toWrite(i int) (repo.Write, error) {
	w := repo.Write{Collection: wi.Collection, RKey: wi.RKey, Record: wi.Value.m}
	switch wi.Type {
	case applyWritesNS + "#create":
		w.Action = repo.Create
	case applyWritesNS + "#update":
		w.Action = repo.Update
	case applyWritesNS + "#delete":
		w.Action = repo.Delete
	default:
		return w, invalidRequest("writes[%d] has an unknown $type %q", i, wi.Type)
	}
	if w.Collection == "" || (w.Action != repo.Create && w.RKey == "") {
		return w, invalidRequest("writes[%d] must have a collection and, unless it is a create, an rkey", i)
	}
	if w.Action != repo.Delete && w.Record == nil {
		return w, invalidRequest("writes[%d] must have a value", i)
	}
	return w, nil
}

type writeResultOut struct {
	Type             string `json:"$type"`
	URI              string `json:"uri,omitempty"`
	CID              string `json:"cid,omitempty"`
	ValidationStatus string `json:"validationStatus,omitempty"`
}

type applyWritesOut struct {
	Commit  *commitMeta      `json:"commit,omitempty"`
	Results []writeResultOut `json:"results"`
}

func (h *RepoHandlers) applyWrites(ctx context.Context, c *Call) (any, error) {
	var in applyWritesIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := h.writableRepo(ctx, c, in.Repo)
	if err != nil {
		return nil, err
	}
	if len(in.Writes) == 0 || len(in.Writes) > repo.MaxWrites {
		return nil, invalidRequest("writes must hold 1 to %d writes", repo.MaxWrites)
	}
	writes := make([]repo.Write, len(in.Writes))
	for i, wi := range in.Writes {
		if writes[i], err = wi.toWrite(i); err != nil {
			return nil, err
		}
		if err := c.RequireRepo(wi.Collection, writeScopeAction(writes[i].Action)); err != nil {
			return nil, err
		}
	}
	if err := h.refusePrivateWrites(ctx, did, writes); err != nil {
		return nil, err
	}
	if err := h.checkBlobs(ctx, did, writes); err != nil {
		return nil, err
	}
	res, err := h.Engine.Apply(ctx, did, writes, repo.ApplyOptions{Actor: actorOf(ctx), SwapCommit: in.SwapCommit.ptr(), Validate: validation(in.Validate)})
	if err != nil {
		return nil, err
	}
	c.auditWrites(ctx, res.Writes)
	out := applyWritesOut{Commit: commitOut(res.Commit), Results: make([]writeResultOut, len(res.Writes))}
	for i, r := range res.Writes {
		o := writeResultOut{Type: fmt.Sprintf("%s#%sResult", applyWritesNS, r.Action)}
		if r.Action != repo.Delete {
			o.URI, o.CID, o.ValidationStatus = r.URI(did), r.CID.String(), r.ValidationStatus
		}
		out.Results[i] = o
	}
	return out, nil
}

type recordOut struct {
	URI   string         `json:"uri"`
	CID   string         `json:"cid,omitempty"`
	Value map[string]any `json:"value"`
}

func toRecordOut(did string, r store.Record) (recordOut, error) {
	v, err := atdata.UnmarshalCBOR(r.Value)
	if err != nil {
		return recordOut{}, fmt.Errorf("decode record %s/%s: %w", r.Collection, r.RKey, err)
	}
	return recordOut{URI: "at://" + did + "/" + r.Collection + "/" + r.RKey, CID: r.CID.String(), Value: v}, nil
}

func (h *RepoHandlers) getRecord(ctx context.Context, c *Call) (any, error) {
	id, err := c.AtIdentifier("repo", true)
	if err != nil {
		return nil, err
	}
	coll, err := c.NSID("collection", true)
	if err != nil {
		return nil, err
	}
	rkey, err := c.RecordKey("rkey", true)
	if err != nil {
		return nil, err
	}
	want, err := c.CID("cid", false)
	if err != nil {
		return nil, err
	}
	acct, err := h.readAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	rec, err := h.Store.GetRecord(ctx, acct.DID, coll, rkey)
	if errors.Is(err, store.ErrNotFound) || (err == nil && want != nil && rec.CID != *want) {
		return nil, Errorf(http.StatusNotFound, "RecordNotFound", "Could not locate record: at://%s/%s/%s", acct.DID, coll, rkey)
	}
	if err != nil {
		return nil, err
	}
	if b, err := appendRecordJSON(make([]byte, 0, 128+2*len(rec.Value)), acct.DID, rec); err == nil {
		return rawJSON(b), nil
	}
	return toRecordOut(acct.DID, rec)
}

type listRecordsOut struct {
	Cursor  string      `json:"cursor,omitempty"`
	Records []recordOut `json:"records"`
}

func (h *RepoHandlers) listRecords(ctx context.Context, c *Call) (any, error) {
	id, err := c.AtIdentifier("repo", true)
	if err != nil {
		return nil, err
	}
	coll, err := c.NSID("collection", true)
	if err != nil {
		return nil, err
	}
	limit, err := c.Int("limit", 50, 1, 100)
	if err != nil {
		return nil, err
	}
	cursor, _ := c.Str("cursor", false)
	reverse, err := c.Bool("reverse")
	if err != nil {
		return nil, err
	}
	acct, err := h.readAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	recs, err := h.Store.ListRecords(ctx, acct.DID, coll, store.ListRecordsOptions{Limit: limit, Cursor: cursor, Reverse: reverse != nil && *reverse})
	if err != nil {
		return nil, err
	}
	cursorOut := ""
	if len(recs) == limit {
		cursorOut = recs[len(recs)-1].RKey
	}
	if b, ok := listRecordsJSON(acct.DID, recs, cursorOut); ok {
		return b, nil
	}
	out := listRecordsOut{Cursor: cursorOut, Records: make([]recordOut, 0, len(recs))}
	for _, r := range recs {
		ro, err := toRecordOut(acct.DID, r)
		if err != nil {
			return nil, err
		}
		out.Records = append(out.Records, ro)
	}
	return out, nil
}

// listRecordsJSON transcodes a listRecords page straight into JSON; it
// reports false when a record needs the decoder (see appendRecordJSON).
func listRecordsJSON(did string, recs []store.Record, cursor string) (rawJSON, bool) {
	size := 32
	for _, r := range recs {
		size += 128 + 2*len(r.Value)
	}
	b := make([]byte, 0, size)
	if cursor != "" {
		// A record key needs no escaping in JSON.
		b = append(b, `{"cursor":"`...)
		b = append(b, cursor...)
		b = append(b, `","records":[`...)
	} else {
		b = append(b, `{"records":[`...)
	}
	for i, r := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendRecordJSON(b, did, r); err != nil {
			return nil, false
		}
	}
	return append(b, "]}"...), true
}

type describeRepoOut struct {
	Handle          string   `json:"handle"`
	DID             string   `json:"did"`
	DIDDoc          any      `json:"didDoc"`
	Collections     []string `json:"collections"`
	HandleIsCorrect bool     `json:"handleIsCorrect"`
}

func (h *RepoHandlers) describeRepo(ctx context.Context, c *Call) (any, error) {
	id, err := c.AtIdentifier("repo", true)
	if err != nil {
		return nil, err
	}
	acct, err := h.readAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	colls, err := h.Store.ListCollections(ctx, acct.DID)
	if err != nil {
		return nil, err
	}
	out := describeRepoOut{Handle: acct.Handle, DID: acct.DID, DIDDoc: map[string]any{}, Collections: make([]string, 0, len(colls)), HandleIsCorrect: true}
	for _, col := range colls {
		out.Collections = append(out.Collections, col.Name)
	}
	if h.Docs != nil {
		doc, err := h.Docs.DIDDocument(ctx, acct.DID)
		if err != nil {
			out.HandleIsCorrect = false
		} else {
			out.DIDDoc = doc
		}
	}
	return out, nil
}

// checkBlobs refuses records that reference blobs this account never
// uploaded, as the reference PDS does (an imported repo may miss blobs —
// listMissingBlobs reports them — but a new write may not).
func (h *RepoHandlers) checkBlobs(ctx context.Context, did string, writes []repo.Write) error {
	for _, w := range writes {
		if w.Record == nil {
			continue
		}
		for _, b := range atdata.ExtractBlobs(w.Record) {
			_, err := h.Store.GetBlob(ctx, did, cid.Cid(b.Ref))
			if errors.Is(err, store.ErrNotFound) {
				return Errorf(http.StatusBadRequest, "BlobNotFound", "Could not find blob: %s", cid.Cid(b.Ref))
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
