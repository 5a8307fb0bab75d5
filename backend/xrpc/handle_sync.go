package xrpc

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/ipfs/go-cid"
	car "github.com/ipld/go-car"
	carutil "github.com/ipld/go-car/util"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// SyncHandlers serves com.atproto.sync.* for repositories (blobs and the
// firehose have their own handlers).
type SyncHandlers struct {
	Store  store.Store
	Engine *repo.Engine
	Log    *slog.Logger
}

// Methods returns the methods to register.
func (h *SyncHandlers) Methods() []Method {
	const ns = "com.atproto.sync."
	return []Method{
		{NSID: ns + "getRepo", Kind: Query, Auth: OptionalAuth, Raw: h.raw(h.getRepo)},
		{NSID: ns + "getCheckout", Kind: Query, Auth: OptionalAuth, Raw: h.raw(h.getCheckout)},
		{NSID: ns + "getRecord", Kind: Query, Auth: OptionalAuth, Raw: h.raw(h.getRecord)},
		{NSID: ns + "getBlocks", Kind: Query, Auth: OptionalAuth, Raw: h.raw(h.getBlocks)},
		{NSID: ns + "getLatestCommit", Kind: Query, Auth: OptionalAuth, Handler: h.getLatestCommit},
		{NSID: ns + "getHead", Kind: Query, Auth: OptionalAuth, Handler: h.getHead},
		{NSID: ns + "getRepoStatus", Kind: Query, Handler: h.getRepoStatus},
		{NSID: ns + "listRepos", Kind: Query, Handler: h.listRepos},
	}
}

// carHandler answers with a CAR body, or an error before any byte is sent.
type carHandler func(ctx context.Context, c *Call) (func(w io.Writer) error, error)

// raw adapts a carHandler: errors found before streaming become XRPC
// errors; an error while streaming can only be logged (the status is sent).
func (h *SyncHandlers) raw(fn carHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &Call{r: r, w: w, Viewer: ViewerFrom(r.Context())}
		stream, err := fn(r.Context(), c)
		if err != nil {
			writeError(w, r, h.Log, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.ipld.car")
		bw := bufio.NewWriterSize(w, 64<<10)
		err = stream(bw)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			h.Log.Warn("CAR stream broke off", "path", r.URL.Path, "err", err)
		}
	}
}

// available checks that a hosted repo may be served: it exists, and unless
// the viewer is its owner or the admin, it is neither taken down nor
// deactivated.
func available(ctx context.Context, st store.Store, did string, v *Viewer) (store.Account, error) {
	acct, err := st.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return acct, Errorf(http.StatusNotFound, "RepoNotFound", "Could not find repo for DID: %s", did)
	}
	if err != nil {
		return acct, err
	}
	if v != nil && (v.Admin || v.DID == did) {
		return acct, nil
	}
	switch acct.Status {
	case store.StatusTakendown:
		return acct, Errorf(http.StatusBadRequest, "RepoTakendown", "Repo has been takendown: %s", did)
	case store.StatusDeactivated:
		return acct, Errorf(http.StatusBadRequest, "RepoDeactivated", "Repo has been deactivated: %s", did)
	case store.StatusSuspended:
		return acct, Errorf(http.StatusBadRequest, "RepoSuspended", "Repo has been suspended: %s", did)
	}
	return acct, nil
}

func (h *SyncHandlers) repoParam(ctx context.Context, c *Call) (string, error) {
	did, err := c.DID("did", true)
	if err != nil {
		return "", err
	}
	_, err = available(ctx, h.Store, did, c.Viewer)
	return did, err
}

func (h *SyncHandlers) getRepo(ctx context.Context, c *Call) (func(io.Writer) error, error) {
	did, err := h.repoParam(ctx, c)
	if err != nil {
		return nil, err
	}
	since, _ := c.Str("since", false)
	if since == "" {
		return func(w io.Writer) error { _, err := h.Engine.ExportCAR(ctx, did, w); return err }, nil
	}
	root, err := h.Store.GetRepoRoot(ctx, did)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		if err := car.WriteHeader(&car.CarHeader{Roots: []cid.Cid{root.Commit}, Version: 1}, w); err != nil {
			return err
		}
		return h.Store.ForEachBlockSince(ctx, did, since, func(c cid.Cid, data []byte) error {
			return carutil.LdWrite(w, c.Bytes(), data)
		})
	}, nil
}

func (h *SyncHandlers) getCheckout(ctx context.Context, c *Call) (func(io.Writer) error, error) {
	did, err := h.repoParam(ctx, c)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) error { _, err := h.Engine.ExportCAR(ctx, did, w); return err }, nil
}

func (h *SyncHandlers) getRecord(ctx context.Context, c *Call) (func(io.Writer) error, error) {
	did, err := h.repoParam(ctx, c)
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
	if _, err := h.Store.GetRecord(ctx, did, coll, rkey); errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(http.StatusNotFound, "RecordNotFound", "Could not locate record: at://%s/%s/%s", did, coll, rkey)
	} else if err != nil {
		return nil, err
	}
	return func(w io.Writer) error { return h.Engine.ExportRecordProof(ctx, did, coll, rkey, w) }, nil
}

// maxGetBlocks bounds the CIDs of one getBlocks call.
const maxGetBlocks = 1000

func (h *SyncHandlers) getBlocks(ctx context.Context, c *Call) (func(io.Writer) error, error) {
	did, err := h.repoParam(ctx, c)
	if err != nil {
		return nil, err
	}
	raw := c.r.URL.Query()["cids"]
	if len(raw) == 0 || len(raw) > maxGetBlocks {
		return nil, invalidRequest("cids must list 1 to %d CIDs", maxGetBlocks)
	}
	cids := make([]cid.Cid, len(raw))
	for i, s := range raw {
		p, err := parseCID("cids", s)
		if err != nil {
			return nil, err
		}
		cids[i] = *p
	}
	found, err := h.Store.GetBlocks(ctx, did, cids)
	if err != nil {
		return nil, err
	}
	for _, c := range cids {
		if _, ok := found[c]; !ok {
			return nil, Errorf(http.StatusBadRequest, "BlockNotFound", "Could not find block: %s", c)
		}
	}
	return func(w io.Writer) error {
		if err := car.WriteHeader(&car.CarHeader{Roots: []cid.Cid{}, Version: 1}, w); err != nil {
			return err
		}
		for _, c := range cids {
			if err := carutil.LdWrite(w, c.Bytes(), found[c]); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (h *SyncHandlers) root(ctx context.Context, c *Call) (store.RepoRoot, error) {
	did, err := h.repoParam(ctx, c)
	if err != nil {
		return store.RepoRoot{}, err
	}
	root, err := h.Store.GetRepoRoot(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return root, Errorf(http.StatusNotFound, "RepoNotFound", "Could not find root for DID: %s", did)
	}
	return root, err
}

func (h *SyncHandlers) getLatestCommit(ctx context.Context, c *Call) (any, error) {
	root, err := h.root(ctx, c)
	if err != nil {
		return nil, err
	}
	return map[string]string{"cid": root.Commit.String(), "rev": root.Rev}, nil
}

func (h *SyncHandlers) getHead(ctx context.Context, c *Call) (any, error) {
	root, err := h.root(ctx, c)
	if err != nil {
		return nil, err
	}
	return map[string]string{"root": root.Commit.String()}, nil
}

type repoStatusOut struct {
	DID    string `json:"did"`
	Head   string `json:"head,omitempty"`
	Active bool   `json:"active"`
	Status string `json:"status,omitempty"`
	Rev    string `json:"rev,omitempty"`
}

func (h *SyncHandlers) status(ctx context.Context, acct store.Account) (repoStatusOut, error) {
	out := repoStatusOut{DID: acct.DID, Active: acct.Status == store.StatusActive}
	if !out.Active {
		out.Status = string(acct.Status)
	}
	root, err := h.Store.GetRepoRoot(ctx, acct.DID)
	switch {
	case err == nil:
		out.Head, out.Rev = root.Commit.String(), root.Rev
	case !errors.Is(err, store.ErrNotFound):
		return out, err
	}
	return out, nil
}

func (h *SyncHandlers) getRepoStatus(ctx context.Context, c *Call) (any, error) {
	did, err := c.DID("did", true)
	if err != nil {
		return nil, err
	}
	acct, err := h.Store.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(http.StatusNotFound, "RepoNotFound", "Could not find repo for DID: %s", did)
	}
	if err != nil {
		return nil, err
	}
	out, err := h.status(ctx, acct)
	if err != nil {
		return nil, err
	}
	if !out.Active {
		out.Rev = "" // the lexicon gives rev only for active repos
	}
	return out, nil
}

type listReposOut struct {
	Cursor string          `json:"cursor,omitempty"`
	Repos  []repoStatusOut `json:"repos"`
}

func (h *SyncHandlers) listRepos(ctx context.Context, c *Call) (any, error) {
	limit, err := c.Int("limit", 500, 1, 1000)
	if err != nil {
		return nil, err
	}
	cursor, _ := c.Str("cursor", false)
	accts, err := h.Store.ListAccounts(ctx, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := listReposOut{Repos: make([]repoStatusOut, 0, len(accts))}
	for _, a := range accts {
		st, err := h.status(ctx, a)
		if err != nil {
			return nil, err
		}
		if st.Head == "" {
			continue // an account without a repo (mid-migration) is not listed
		}
		out.Repos = append(out.Repos, st)
	}
	if len(accts) == limit {
		out.Cursor = accts[len(accts)-1].DID
	}
	return out, nil
}
