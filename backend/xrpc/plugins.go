package xrpc

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
)

// PluginHooks is what the router asks of the plugin host (the server
// adapts plugin.Host to it; nil: no plugins).
type PluginHooks interface {
	// BeforeCall runs the xrpc.before middleware once the caller is
	// authenticated; an error (an *Error naming the plugin) refuses the
	// call.
	BeforeCall(ctx context.Context, r *http.Request, nsid string, viewer *Viewer) error
	// AfterCall queues the xrpc.after middleware with the answer's status;
	// it never blocks the response.
	AfterCall(ctx context.Context, r *http.Request, nsid string, viewer *Viewer, status int)
	// Handles reports whether a plugin registered nsid as its endpoint.
	Handles(nsid string) bool
	// ServeCall answers a call to a plugin's endpoint; an error is sent
	// as the XRPC error (nothing was written then).
	ServeCall(w http.ResponseWriter, r *http.Request, nsid string, viewer *Viewer) error
}

// servePlugin answers nsid with the plugin that registered it (credentials
// are optional: the plugin sees the caller's DID when there is one).
func (rt *Router) servePlugin(w http.ResponseWriter, r *http.Request, nsid string) {
	viewer, err := rt.authenticate(r, OptionalAuth)
	if err != nil {
		writeError(w, r, rt.log, err)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	if err := rt.Plugins.BeforeCall(r.Context(), r, nsid, viewer); err != nil {
		writeError(sw, r, rt.log, err)
	} else if err := rt.Plugins.ServeCall(sw, r.WithContext(withViewer(r.Context(), viewer)), nsid, viewer); err != nil {
		writeError(sw, r, rt.log, err)
	}
	rt.Plugins.AfterCall(r.Context(), r, nsid, viewer, sw.code())
}

// statusWriter remembers the status of a response for the after-hooks. It
// passes Flush and Hijack through (streams, websockets).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// Flush implements http.Flusher.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker (a websocket upgrade is a 101).
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("xrpc: response cannot be hijacked")
	}
	if s.status == 0 {
		s.status = http.StatusSwitchingProtocols
	}
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// actorOf is the controller acting as the account (Viewer.Actor), told to
// the write hooks; "" when the account acts for itself.
func actorOf(ctx context.Context) string {
	if v := ViewerFrom(ctx); v != nil {
		return v.Actor
	}
	return ""
}
