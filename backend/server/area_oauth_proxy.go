package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/oauth"
	"github.com/hearthpds/hearth/backend/proxy"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// oauthCallerKey carries the caller an OAuth token proved to the proxy's
// authenticator.
type oauthCallerKey struct{}

// oauthProxy lets calls forwarded by the proxy use OAuth access tokens:
// "Authorization: DPoP" requests are verified here (where the DPoP
// challenge headers can be written) and reach the proxy with their caller;
// other requests go through the proxy's own authenticator unchanged.
func (s *Server) oauthProxy(h *proxy.Handler) http.Handler {
	inner := h.Auth
	h.Auth = proxy.AuthFunc(func(r *http.Request) (proxy.Caller, error) {
		if c, ok := r.Context().Value(oauthCallerKey{}).(proxy.Caller); ok {
			return c, nil
		}
		return inner.Authenticate(r)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "DPoP") {
			h.ServeHTTP(w, r)
			return
		}
		c, err := s.oauth.VerifyResource(r, strings.TrimSpace(token))
		var re *oauth.ResourceError
		switch {
		case errors.As(err, &re):
			w.Header().Set("WWW-Authenticate", `DPoP algs="ES256", error=`+strconv.Quote(re.Code)+`, error_description=`+strconv.Quote(re.Description))
			w.Header().Set("DPoP-Nonce", re.Nonce)
			name := "InvalidToken"
			if re.Expired {
				name = "ExpiredToken"
			}
			writeProxyAuthError(w, http.StatusUnauthorized, name, re.Description)
			return
		case err != nil:
			s.log.Error("oauth: verify proxied call", "err", err)
			writeProxyAuthError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
			return
		}
		if status, name, msg := s.oauthAccountProblem(r.Context(), c.DID); status != 0 {
			writeProxyAuthError(w, status, name, msg)
			return
		}
		// Every forwarded call needs rpc:<method>?aud=<service> or a
		// transition scope covering it; that check also decides the chat
		// methods (transition:chat.bsky or rpc:chat.bsky.*), the proxy's
		// privileged ones, so the caller counts as privileged.
		v := &xrpc.Viewer{DID: c.DID, Scope: c.Scope, ClientID: c.ClientID, Actor: c.Actor, OAuth: true}
		allow := func(lxm, aud string) error { return v.RequireRPC(w.Header(), lxm, aud) }
		ctx := context.WithValue(r.Context(), oauthCallerKey{}, proxy.Caller{DID: syntax.DID(c.DID), Privileged: true, Allow: allow})
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// oauthAccountProblem refuses tokens of accounts that are gone or taken
// down, as the router does.
func (s *Server) oauthAccountProblem(ctx context.Context, did string) (int, string, string) {
	a, err := s.store.GetAccount(ctx, did)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusUnauthorized, "InvalidToken", "the token's account no longer exists"
	case err != nil:
		s.log.Error("oauth: account of a proxied call", "err", err)
		return http.StatusInternalServerError, "InternalServerError", "Internal Server Error"
	case a.Status == store.StatusTakendown || a.TakedownRef != "":
		return http.StatusUnauthorized, "AccountTakedown", "Account has been taken down"
	}
	return 0, "", ""
}

// writeProxyAuthError sends an XRPC error.
func writeProxyAuthError(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}
