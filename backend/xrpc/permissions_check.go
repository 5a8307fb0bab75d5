package xrpc

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/hearthpds/hearth/backend/scopes"
)

// Permissions returns what the viewer's credentials allow: the granted
// scope of an OAuth token (parsed once; a scope that does not parse allows
// nothing), scopes.Legacy for an app password and scopes.LegacySession for
// a password session (and for refresh tokens, which only the session
// methods take). Service-auth and admin callers are outside scopes: their
// Set is the zero Set, and the checks skip them.
func (v *Viewer) Permissions() scopes.Set {
	if v == nil || v.Service || v.Admin {
		return scopes.Set{}
	}
	if v.perms != nil {
		return *v.perms
	}
	var s scopes.Set
	switch {
	case v.OAuth:
		if parsed, _, err := scopes.Parse(v.Scope); err == nil {
			s = parsed
		}
	case v.AppPasswordName != "":
		s = scopes.Legacy(v.Privileged)
	default:
		s = scopes.LegacySession()
	}
	v.perms = &s
	return s
}

// scoped reports whether permission checks apply to v: an authenticated
// user, not a service or the admin.
func (v *Viewer) scoped() bool { return v != nil && !v.Service && !v.Admin }

// checkPermissions applies m's static Need to the authenticated viewer,
// right after authentication. Methods without a Need refuse every user.
func (rt *Router) checkPermissions(h http.Header, m Method, v *Viewer) error {
	if !v.scoped() {
		return nil
	}
	n, ok := permissions[m.NSID]
	switch {
	case !ok && !AuthenticatesUsers(m.Auth):
		// createAccount (service auth or none) sent an OAuth token.
		return insufficientScope(h, v, "%s does not take a user's session or OAuth token", m.NSID)
	case !ok:
		return insufficientScope(h, v, "%s declares no permission, so no user may call it", m.NSID)
	}
	if n.noActor && v.Actor != "" {
		return insufficientScope(h, v, "a controller acting as the account may never call %s", m.NSID)
	}
	p := v.Permissions()
	var allowed bool
	switch {
	case p.IsFull():
		// Legacy sessions and app passwords keep the rules of their auth
		// level and handlers (app passwords never manage email, ...).
		allowed = true
	case n.kind == needAtproto, n.kind == needHandler:
		allowed = p.HasAtproto()
	case n.kind == needAccount:
		allowed = p.AllowsAccount(n.attr, n.action)
	case n.kind == needIdentity:
		allowed = p.AllowsIdentity(n.attr)
	}
	if !allowed {
		return insufficientScope(h, v, "%s needs %s", m.NSID, n)
	}
	return nil
}

// RequireRepo checks that the caller may apply action (one of
// scopes.ActionCreate, ActionUpdate, ActionDelete) to records of collection:
// repo:<collection>?action=<action>. Refusals are 403 InsufficientScope.
func (c *Call) RequireRepo(collection string, action scopes.Action) error {
	v := c.Viewer
	if !v.scoped() || v.Permissions().AllowsRepo(collection, action) {
		return nil
	}
	return insufficientScope(c.w.Header(), v, "this write needs repo:%s?action=%s", collection, action)
}

// RequireBlob checks that the caller may upload a blob of MIME type mime:
// blob:<mime>.
func (c *Call) RequireBlob(mime string) error { return requireBlob(c.w.Header(), c.Viewer, mime) }

func requireBlob(h http.Header, v *Viewer, mime string) error {
	if !v.scoped() || v.Permissions().AllowsBlob(mime) {
		return nil
	}
	return insufficientScope(h, v, "uploading this blob needs blob:%s", mime)
}

// RequireRPC checks that the caller may call method lxm ("" for a token
// good for any method) at audience aud (a DID, "did#service" for proxied
// calls): rpc:<lxm>?aud=<aud>.
func (c *Call) RequireRPC(lxm, aud string) error { return c.Viewer.RequireRPC(c.w.Header(), lxm, aud) }

// RequireRPC is Call.RequireRPC for code without a Call (the proxy): h gets
// the OAuth challenge of a refusal.
func (v *Viewer) RequireRPC(h http.Header, lxm, aud string) error {
	if !v.scoped() {
		return nil
	}
	if lxm == "" {
		lxm = "*"
	}
	if v.Actor != "" && !scopes.CanDelegate(lxm) {
		return insufficientScope(h, v, "a controller acting as the account may never call %s", lxm)
	}
	if v.Permissions().AllowsRPC(lxm, aud) {
		return nil
	}
	return insufficientScope(h, v, "calling %s needs rpc:%s?aud=%s", lxm, lxm, strings.ReplaceAll(aud, "#", "%23"))
}

// insufficientScope is a refusal: 403 InsufficientScope and, for an OAuth
// caller, the RFC 6750 challenge "WWW-Authenticate: DPoP
// error=\"insufficient_scope\"".
func insufficientScope(h http.Header, v *Viewer, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if h != nil && v != nil && v.OAuth {
		h.Set("WWW-Authenticate", `DPoP algs="ES256", error="insufficient_scope", error_description=`+quote(msg))
		h.Add("Access-Control-Expose-Headers", "WWW-Authenticate")
	}
	return Errorf(http.StatusForbidden, "InsufficientScope", "%s", msg)
}

// quote quotes s for an HTTP header parameter.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", " ", "\n", " ").Replace(s) + `"`
}

// mediaType is a Content-Type without its parameters ("" when malformed).
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return mt
}
