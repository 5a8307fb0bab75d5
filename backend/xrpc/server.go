package xrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// maxJSONBody bounds JSON request bodies (a record may be 1 MiB as CBOR and
// about twice that as JSON).
const maxJSONBody = 4 << 20

var errBodyTooLarge = errors.New("request body too large")

// Kind is a method's lexicon type.
type Kind int

// Method kinds.
const (
	Query Kind = iota + 1
	Procedure
)

// HandlerFunc handles one XRPC call and returns the JSON output (nil for
// none) or an error.
type HandlerFunc func(ctx context.Context, c *Call) (any, error)

// Method is a registered XRPC method.
type Method struct {
	NSID    string
	Kind    Kind
	Auth    AuthLevel
	Handler HandlerFunc
	// Raw, when set, handles the request itself (binary bodies, streams).
	Raw http.HandlerFunc
}

// Router dispatches /xrpc/{nsid} to registered methods.
type Router struct {
	log     *slog.Logger
	auth    Authenticator
	service ServiceVerifier // nil: service auth is refused
	oauth   OAuthVerifier   // nil: OAuth (DPoP) tokens are refused
	auditor WriteAuditor    // nil: controllers' writes are not audited
	methods map[string]Method
	// Fallback handles NSIDs with no registered method (proxying, later);
	// nil answers MethodNotImplemented.
	Fallback http.Handler
	// Plugins run the xrpc middleware hooks around every call and answer
	// the NSIDs plugins registered (before Fallback); nil: none.
	Plugins PluginHooks
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger, auth Authenticator) *Router {
	return &Router{log: log, auth: auth, methods: map[string]Method{}}
}

// Register adds methods; registering an NSID twice panics (a programming
// error found at start-up).
func (rt *Router) Register(ms ...Method) {
	for _, m := range ms {
		if _, dup := rt.methods[m.NSID]; dup {
			panic("xrpc: method registered twice: " + m.NSID)
		}
		rt.methods[m.NSID] = m
	}
}

// Has reports whether a method is registered.
func (rt *Router) Has(nsid string) bool {
	_, ok := rt.methods[nsid]
	return ok
}

// ServeHTTP serves /xrpc/{nsid}.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	nsid := strings.TrimPrefix(r.URL.Path, "/xrpc/")
	m, ok := rt.methods[nsid]
	if !ok {
		rt.notFound(w, r, nsid)
		return
	}
	if err := checkHTTPMethod(m.Kind, r.Method); err != nil {
		writeError(w, r, rt.log, err)
		return
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			rt.log.Error("xrpc handler panicked", "nsid", nsid, "panic", fmt.Sprint(p))
			writeError(w, r, rt.log, fmt.Errorf("panic: %v", p))
		}
	}()
	rt.serve(w, r, m)
}

func (rt *Router) serve(w http.ResponseWriter, r *http.Request, m Method) {
	viewer, err := rt.authenticate(r, m.Auth)
	if err != nil {
		writeError(w, r, rt.log, err)
		return
	}
	if err := rt.checkPermissions(w.Header(), m, viewer); err != nil {
		writeError(w, r, rt.log, err)
		return
	}
	if rt.Plugins != nil {
		sw := &statusWriter{ResponseWriter: w}
		defer func() { rt.Plugins.AfterCall(r.Context(), r, m.NSID, viewer, sw.code()) }()
		if err := rt.Plugins.BeforeCall(r.Context(), r, m.NSID, viewer); err != nil {
			writeError(sw, r, rt.log, err)
			return
		}
		w = sw
	}
	ctx := withViewer(r.Context(), viewer)
	if m.Raw != nil {
		m.Raw(w, r.WithContext(ctx))
		return
	}
	out, err := m.Handler(ctx, &Call{r: r, w: w, Viewer: viewer, rt: rt})
	if err != nil {
		writeError(w, r, rt.log, err)
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	if b, ok := out.(rawJSON); ok {
		// Already JSON (records transcoded from their blocks).
		w.Header()["Content-Type"] = jsonContentType
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (rt *Router) notFound(w http.ResponseWriter, r *http.Request, nsid string) {
	if _, err := syntax.ParseNSID(nsid); err != nil {
		writeError(w, r, rt.log, Errorf(http.StatusNotFound, "InvalidRequest", "not a valid XRPC method name: %q", nsid))
		return
	}
	if rt.Plugins != nil && rt.Plugins.Handles(nsid) {
		rt.servePlugin(w, r, nsid)
		return
	}
	if rt.Fallback != nil {
		rt.Fallback.ServeHTTP(w, r)
		return
	}
	writeError(w, r, rt.log, Errorf(http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented: %s", nsid))
}

func checkHTTPMethod(k Kind, method string) error {
	switch {
	case k == Query && (method == http.MethodGet || method == http.MethodHead):
		return nil
	case k == Procedure && method == http.MethodPost:
		return nil
	}
	want := "GET"
	if k == Procedure {
		want = "POST"
	}
	return Errorf(http.StatusMethodNotAllowed, "InvalidRequest", "this method takes %s requests, not %s", want, method)
}

// Call is one XRPC request as a handler sees it.
type Call struct {
	r      *http.Request
	w      http.ResponseWriter
	Viewer *Viewer // nil when unauthenticated
	rt     *Router // the router serving the call (nil in raw handlers)

	q url.Values // the parsed query, see query
}

// Request returns the HTTP request.
func (c *Call) Request() *http.Request { return c.r }

// Header returns the response headers, for handlers that set some.
func (c *Call) Header() http.Header { return c.w.Header() }

// Decode reads a JSON body into v. It requires a JSON content type, bounds
// the size and reports malformed JSON and wrong field types as
// InvalidRequest.
func (c *Call) Decode(v any) error {
	ct := c.r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return invalidRequest("request body must be application/json (got %q)", ct)
	}
	body := http.MaxBytesReader(c.w, c.r.Body, maxJSONBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidRequest("request body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var synErr *json.SyntaxError
	switch {
	case errors.As(err, &tooLarge):
		return fmt.Errorf("%w: %d bytes max", errBodyTooLarge, tooLarge.Limit)
	case errors.As(err, &typeErr):
		return invalidRequest("invalid type for field %q: expected %s", typeErr.Field, typeErr.Type)
	case errors.As(err, &synErr):
		return invalidRequest("malformed JSON: %v", synErr)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return invalidRequest("request body is empty or truncated")
	}
	var iv *invalidField
	if errors.As(err, &iv) {
		return invalidRequest("%s", iv.Error())
	}
	return invalidRequest("invalid request body: %v", err)
}

// invalidField is returned by custom JSON unmarshalers of typed fields.
type invalidField struct{ msg string }

func (e *invalidField) Error() string { return e.msg }

// now is the HTTP layer's clock.
var now = time.Now
