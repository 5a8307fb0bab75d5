package xrpc

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/store"
)

// IdentityHandlers serves com.atproto.identity.* and the handle well-known.
type IdentityHandlers struct {
	Store     store.Store
	Directory indigoid.Directory // resolves handles not hosted here; may be nil
}

// Methods returns the methods to register.
func (h *IdentityHandlers) Methods() []Method {
	return []Method{
		{NSID: "com.atproto.identity.resolveHandle", Kind: Query, Handler: h.resolveHandle},
	}
}

func (h *IdentityHandlers) resolveHandle(ctx context.Context, c *Call) (any, error) {
	raw, err := c.Str("handle", true)
	if err != nil {
		return nil, err
	}
	handle, err := syntax.ParseHandle(raw)
	if err != nil {
		return nil, invalidRequest("handle must be a valid handle: %q", raw)
	}
	did, err := h.resolve(ctx, handle.Normalize())
	if err != nil {
		return nil, err
	}
	return map[string]string{"did": did}, nil
}

// resolve answers hosted handles from the store, others through the
// directory.
func (h *IdentityHandlers) resolve(ctx context.Context, handle syntax.Handle) (string, error) {
	acct, err := h.Store.GetAccountByHandle(ctx, identity.NormalizeHandle(handle.String()))
	if err == nil {
		return acct.DID, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if h.Directory != nil {
		if ident, err := h.Directory.LookupHandle(ctx, handle); err == nil {
			return ident.DID.String(), nil
		}
	}
	return "", Errorf(http.StatusBadRequest, "HandleNotFound", "Unable to resolve handle")
}

// WellKnownDID serves GET /.well-known/atproto-did: the DID of the hosted
// account whose handle is the request's host.
func (h *IdentityHandlers) WellKnownDID(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	acct, err := h.Store.GetAccountByHandle(r.Context(), identity.NormalizeHandle(strings.TrimSuffix(host, ".")))
	if err != nil {
		http.Error(w, "no user by that name", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(acct.DID))
}
