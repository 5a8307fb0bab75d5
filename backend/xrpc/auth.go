package xrpc

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// AuthLevel is what a method requires of the caller.
type AuthLevel int

// Auth levels.
const (
	// NoAuth: anyone; credentials are ignored.
	NoAuth AuthLevel = iota
	// OptionalAuth: anyone, but valid credentials identify the viewer and
	// invalid ones are refused.
	OptionalAuth
	// AccessAuth: an access token (a full session or an app password).
	AccessAuth
	// FullAccessAuth: an access token of a full session, or of a privileged
	// app password.
	FullAccessAuth
	// RefreshAuth: a refresh token (refreshSession, deleteSession).
	RefreshAuth
	// AdminAuth: HTTP Basic admin:<admin password>.
	AdminAuth
	// ServiceAuth: a service-auth JWT (signed with the caller's atproto
	// key, aud this server, lxm the method's NSID); see SetServiceVerifier.
	ServiceAuth
	// ServiceAuthOptional: a service-auth JWT when a bearer token is sent,
	// anyone otherwise (createAccount, for accounts migrating in).
	ServiceAuthOptional
	// AccessOrServiceAuth: a service-auth JWT when the bearer token carries
	// an lxm claim, an access token otherwise (uploadBlob).
	AccessOrServiceAuth
)

// Viewer is an authenticated caller.
type Viewer struct {
	DID             string
	Scope           string // the token's scope
	AppPasswordName string // set when the session came from an app password
	Privileged      bool   // a full session or a privileged app password
	TokenID         string // the refresh token's ID (RefreshAuth)
	Admin           bool
	// Service is set when the caller proved itself with a service-auth JWT;
	// DID is then the token's issuer.
	Service bool
	// OAuth is set for a DPoP-bound OAuth access token; Scope is then the
	// granted OAuth scope, ClientID the client's client_id, and Actor the
	// controller acting as DID (act.sub), "" when DID acts for itself.
	OAuth    bool
	ClientID string
	Actor    string

	account *store.Account // the caller's account, when authentication read it
	perms   *scopes.Set    // Permissions, once computed
}

// Authenticator checks credentials. Its errors are *Error values (or
// errors toError maps).
type Authenticator interface {
	// Access verifies an access token.
	Access(ctx context.Context, token string) (*Viewer, error)
	// Refresh verifies a refresh token.
	Refresh(ctx context.Context, token string) (*Viewer, error)
	// AdminPassword returns the admin password, or "" when admin routes are
	// disabled.
	AdminPassword() string
}

// ServiceVerifier checks service-auth JWTs for the router. Its errors are
// *Error values (or errors toError maps).
type ServiceVerifier interface {
	// VerifyService verifies a token for a call of the method nsid and
	// returns the caller.
	VerifyService(ctx context.Context, token, nsid string) (*Viewer, error)
}

// SetServiceVerifier enables the ServiceAuth levels. Without one, methods
// that need service auth refuse every token. Call it before serving.
func (rt *Router) SetServiceVerifier(v ServiceVerifier) { rt.service = v }

type viewerKey struct{}

func withViewer(ctx context.Context, v *Viewer) context.Context {
	if v == nil {
		return ctx
	}
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the authenticated caller of a request context, or nil.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

func (rt *Router) authenticate(r *http.Request, level AuthLevel) (*Viewer, error) {
	switch level {
	case NoAuth:
		return nil, nil
	case AdminAuth:
		return rt.admin(r)
	case ServiceAuth, ServiceAuthOptional, AccessOrServiceAuth:
		if v, err, ok := rt.oauthAuth(r, level); ok {
			return v, err
		}
		return rt.serviceAuth(r, level)
	}
	if v, err, ok := rt.oauthAuth(r, level); ok {
		return v, err
	}
	token, scheme := bearer(r)
	if token == "" {
		if level == OptionalAuth {
			return nil, nil
		}
		if scheme != "" {
			return nil, Errorf(http.StatusUnauthorized, "InvalidToken", "unsupported authorization scheme %q", scheme)
		}
		return nil, authRequired("Authentication Required")
	}
	if level == RefreshAuth {
		return rt.auth.Refresh(r.Context(), token)
	}
	v, err := rt.auth.Access(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if level == FullAccessAuth && !v.Privileged {
		return nil, Errorf(http.StatusBadRequest, "InvalidToken", "this method needs a full session or a privileged app password")
	}
	return v, nil
}

// serviceAuth authenticates the ServiceAuth levels.
func (rt *Router) serviceAuth(r *http.Request, level AuthLevel) (*Viewer, error) {
	token, scheme := bearer(r)
	if token == "" {
		switch {
		case level == ServiceAuthOptional:
			return nil, nil
		case scheme != "":
			return nil, Errorf(http.StatusUnauthorized, "InvalidToken", "unsupported authorization scheme %q", scheme)
		}
		return nil, authRequired("Authentication Required")
	}
	if level == AccessOrServiceAuth && !auth.IsServiceAuthToken(token) {
		return rt.auth.Access(r.Context(), token)
	}
	if rt.service == nil {
		return nil, authRequired("service auth is not available on this server")
	}
	return rt.service.VerifyService(r.Context(), token, strings.TrimPrefix(r.URL.Path, "/xrpc/"))
}

// bearer returns the bearer token of the Authorization header, or the
// scheme used when it is not Bearer.
func bearer(r *http.Request) (token, scheme string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", ""
	}
	scheme, token, _ = strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", scheme
	}
	return strings.TrimSpace(token), scheme
}

func (rt *Router) admin(r *http.Request) (*Viewer, error) {
	want := rt.auth.AdminPassword()
	if want == "" {
		return nil, Errorf(http.StatusUnauthorized, "AuthRequired", "admin methods are disabled on this server (no admin password is set)")
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return nil, authRequired("admin methods need HTTP Basic credentials")
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte("admin")) == 1
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(want)) == 1
	if !userOK || !passOK {
		return nil, authRequired("invalid admin credentials")
	}
	return &Viewer{Admin: true}, nil
}
