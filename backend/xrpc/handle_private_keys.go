package xrpc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/store"
)

// checkPrivNSID validates a body field that must be an NSID.
func checkPrivNSID(name, s string) error {
	if s == "" {
		return invalidRequest(`Input must have the property "%s"`, name)
	}
	if _, err := syntax.ParseNSID(s); err != nil {
		return invalidRequest("%s must be a valid nsid: %q", name, s)
	}
	return nil
}

// uploadBlob stores an encrypted blob (the crypt blob format) for the
// caller. The server checks only the format's magic; the CID is over the
// ciphertext. A scoped token needs blob:application/octet-stream (which
// blob:*/* covers): the real type is inside the encrypted record, so the
// server cannot check it against a narrower scope.
func (h *PrivateHandlers) uploadBlob(w http.ResponseWriter, r *http.Request) {
	c := &Call{r: r, w: w, Viewer: ViewerFrom(r.Context())}
	out, err := h.upload(c)
	if err != nil {
		writeError(w, r, h.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

type privateBlobOut struct {
	CID  string `json:"cid"`
	Size int64  `json:"size"`
}

func (h *PrivateHandlers) upload(c *Call) (any, error) {
	owner, err := privOwner(c)
	if err != nil {
		return nil, err
	}
	if err := c.RequireBlob("application/octet-stream"); err != nil {
		return nil, err
	}
	r := c.Request()
	if h.Limit > 0 && r.ContentLength > h.Limit {
		return nil, payloadTooLarge()
	}
	body := io.Reader(r.Body)
	if h.Limit > 0 {
		body = http.MaxBytesReader(c.w, r.Body, h.Limit)
	}
	b, err := h.Privacy.StoreBlob(r.Context(), owner, body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, payloadTooLarge()
	}
	if err != nil {
		return nil, privateError(err)
	}
	return privateBlobOut{CID: b.CID.String(), Size: b.Size}, nil
}

// getBlob streams an encrypted blob to its owner or to an active grantee
// of any of the owner's collections.
func (h *PrivateHandlers) getBlob(w http.ResponseWriter, r *http.Request) {
	c := &Call{r: r, w: w, Viewer: ViewerFrom(r.Context())}
	f, ref, err := h.openBlob(c)
	if err != nil {
		writeError(w, r, h.Log, err)
		return
	}
	defer f.Close()
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", `attachment; filename="`+ref+`"`)
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", time.Time{}, rs)
		return
	}
	_, _ = io.Copy(w, f)
}

func (h *PrivateHandlers) openBlob(c *Call) (io.ReadCloser, string, error) {
	who, err := privRequester(c)
	if err != nil {
		return nil, "", err
	}
	owner, err := c.DID("repo", true)
	if err != nil {
		return nil, "", err
	}
	ref, err := c.CID("cid", true)
	if err != nil {
		return nil, "", err
	}
	f, err := h.Privacy.OpenBlob(c.Request().Context(), who, owner, *ref)
	if err != nil {
		return nil, "", privateError(err)
	}
	return f, ref.String(), nil
}

type privSealedGrantView struct {
	Epoch  uint64 `json:"epoch"`
	Sealed string `json:"sealed"`
}

// getGrantKeys returns the caller's own active sealed grants of owner's
// collection: a grantee's PDS calls it with service auth for the grantee
// (the JWT's issuer), the owner with its session for its grant #0. Nobody
// gets another account's grants.
func (h *PrivateHandlers) getGrantKeys(ctx context.Context, c *Call) (any, error) {
	who, owner, collection, err := privReadTarget(c)
	if err != nil {
		return nil, err
	}
	gs, err := h.Privacy.GrantKeys(ctx, who, owner, collection)
	if err != nil {
		return nil, privateError(err)
	}
	out := make([]privSealedGrantView, len(gs))
	for i, g := range gs {
		out[i] = privSealedGrantView{Epoch: g.Epoch, Sealed: b64.EncodeToString(g.Sealed)}
	}
	return map[string]any{"grants": out}, nil
}

type privGrantView struct {
	Collection   string `json:"collection"`
	Epoch        uint64 `json:"epoch"`
	Grantee      string `json:"grantee"`
	GranteeKeyID string `json:"granteeKeyId"`
	KEMID        uint16 `json:"kemId"`
	CreatedAt    string `json:"createdAt"`
	RevokedAt    string `json:"revokedAt,omitempty"`
}

// listGrants lists the owner's grants (metadata, no sealed keys).
func (h *PrivateHandlers) listGrants(ctx context.Context, c *Call) (any, error) {
	owner, err := privOwner(c)
	if err != nil {
		return nil, err
	}
	collection, err := c.NSID("collection", false)
	if err != nil {
		return nil, err
	}
	revoked, err := c.Bool("includeRevoked")
	if err != nil {
		return nil, err
	}
	gs, err := h.Privacy.ListGrants(ctx, owner, collection, revoked != nil && *revoked)
	if err != nil {
		return nil, privateError(err)
	}
	out := make([]privGrantView, len(gs))
	for i, g := range gs {
		out[i] = privGrantViewOf(g)
	}
	return map[string]any{"grants": out}, nil
}

func privGrantViewOf(g store.KeyGrant) privGrantView {
	v := privGrantView{Collection: g.Collection, Epoch: g.Epoch, Grantee: g.GranteeDID, GranteeKeyID: g.GranteeKeyID,
		KEMID: g.KEMID, CreatedAt: g.CreatedAt.UTC().Format(time.RFC3339Nano)}
	if g.RevokedAt != nil {
		v.RevokedAt = g.RevokedAt.UTC().Format(time.RFC3339Nano)
	}
	return v
}

type privRotationView struct {
	Collection string `json:"collection"`
	Epoch      uint64 `json:"epoch"`
	Reason     string `json:"reason"`
	Actor      string `json:"actor,omitempty"`
	CreatedAt  string `json:"createdAt"`
}

// listRotations lists the owner's key epochs (rotation history).
func (h *PrivateHandlers) listRotations(ctx context.Context, c *Call) (any, error) {
	owner, err := privOwner(c)
	if err != nil {
		return nil, err
	}
	collection, err := c.NSID("collection", false)
	if err != nil {
		return nil, err
	}
	rs, err := h.Privacy.Rotations(ctx, owner, collection)
	if err != nil {
		return nil, privateError(err)
	}
	out := make([]privRotationView, len(rs))
	for i, r := range rs {
		out[i] = privRotationView{Collection: r.Collection, Epoch: r.Epoch, Reason: r.Reason, Actor: r.ActorDID,
			CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339Nano)}
	}
	return map[string]any{"rotations": out}, nil
}
