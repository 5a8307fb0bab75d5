package proxy

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Caller is the authenticated user of a request.
type Caller struct {
	DID syntax.DID
	// Privileged: a full session or a privileged app password.
	Privileged bool
	// Allow, when set, checks the caller's permission scope for a call of
	// method lxm at the service aud ("did#id"); its error (403
	// InsufficientScope) is sent and nothing is forwarded. nil allows
	// every call (legacy credentials: Privileged governs them).
	Allow func(lxm, aud string) error
}

// Authenticator identifies the user of a request from its credentials.
// Its errors are reported to the client: *Error values say how.
type Authenticator interface {
	Authenticate(r *http.Request) (Caller, error)
}

// AuthFunc adapts a function to Authenticator.
type AuthFunc func(r *http.Request) (Caller, error)

// Authenticate calls f.
func (f AuthFunc) Authenticate(r *http.Request) (Caller, error) { return f(r) }

// Handler forwards calls to /xrpc/{nsid} that the server has no method for:
// the XRPC router's fallback. The router has already checked that {nsid} is
// a valid NSID.
type Handler struct {
	Proxy    *Proxy
	Auth     Authenticator
	Defaults Defaults
	// HTTPMethod, when set, names the HTTP method ("GET" or "POST") a
	// method of a known lexicon takes, so that a call with the wrong one
	// is refused here rather than forwarded.
	HTTPMethod func(nsid string) (string, bool)
	// Logger records failures that reach the client as a 500; nil means
	// slog.Default().
	Logger *slog.Logger
}

// ServeHTTP refuses protected methods, picks the service, authenticates the
// caller and forwards the call, in the reference PDS's order of checks
// (the service's DID is resolved only for an authenticated caller).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.serve(w, r); err != nil {
		h.fail(w, r, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		return invalidRequest("XRPC requests only supports GET and POST")
	}
	nsid, err := syntax.ParseNSID(strings.TrimPrefix(r.URL.Path, "/xrpc/"))
	if err != nil {
		return Errorf(http.StatusNotFound, "InvalidRequest", "not a valid XRPC method name")
	}
	if err := h.checkMethod(r.Method, nsid.String()); err != nil {
		return err
	}
	if Protected(nsid.String()) {
		return badTokenMethod()
	}
	svc, err := h.Defaults.Target(r, nsid.String())
	if err != nil {
		return err
	}
	caller, err := h.Auth.Authenticate(r)
	if err != nil {
		return err
	}
	if Privileged(nsid.String()) && !caller.Privileged {
		return badTokenMethod()
	}
	if caller.Allow != nil {
		if err := caller.Allow(nsid.String(), svc.String()); err != nil {
			return err
		}
	}
	return h.Proxy.Forward(w, r, Call{Caller: caller.DID, Service: svc, NSID: nsid})
}

// checkMethod refuses a call of a known method with the wrong HTTP method,
// as the XRPC router does for the methods it serves.
func (h *Handler) checkMethod(method, nsid string) error {
	if h.HTTPMethod == nil {
		return nil
	}
	want, ok := h.HTTPMethod(nsid)
	if !ok || method == want || (method == http.MethodHead && want == http.MethodGet) {
		return nil
	}
	return Errorf(http.StatusMethodNotAllowed, "InvalidRequest", "this method takes %s requests, not %s", want, method)
}

// fail reports err to the client, logging errors that become a 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client is gone
	}
	var e *Error
	if !errors.As(err, &e) {
		log := h.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Error("proxy: forwarding failed", "path", r.URL.Path, "err", err)
	}
	WriteError(w, err)
}
