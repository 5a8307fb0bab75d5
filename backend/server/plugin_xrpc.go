package server

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// maxPluginBody bounds the body of a call to a plugin's endpoint.
const maxPluginBody = 4 << 20

var _ xrpc.PluginHooks = (*pluginHooks)(nil)

func callerOf(v *xrpc.Viewer) string {
	if v == nil {
		return ""
	}
	return v.DID
}

// BeforeCall implements xrpc.PluginHooks: the xrpc.before chain. A refusal
// is a 400 with the plugin's error name (InvalidRequest if it gave none)
// and a message naming the plugin.
func (ph *pluginHooks) BeforeCall(ctx context.Context, r *http.Request, nsid string, v *xrpc.Viewer) error {
	h := ph.host.Load()
	if h == nil {
		return nil
	}
	d, err := h.BeforeXRPC(ctx, plugin.XRPCEvent{NSID: nsid, Method: r.Method, Params: r.URL.Query(), Caller: callerOf(v)})
	if err != nil {
		return err
	}
	if d.Verdict != plugin.Reject {
		return nil
	}
	return rejection(d)
}

// rejection is the XRPC error of a before-hook's refusal.
func rejection(d plugin.Decision) *xrpc.Error {
	name := d.Error
	if name == "" {
		name = "InvalidRequest"
	}
	return xrpc.Errorf(http.StatusBadRequest, name, "%s (plugin %s)", d.Message, d.Plugin)
}

// AfterCall implements xrpc.PluginHooks: queues the xrpc.after chain.
func (ph *pluginHooks) AfterCall(ctx context.Context, r *http.Request, nsid string, v *xrpc.Viewer, status int) {
	if h := ph.host.Load(); h != nil {
		h.AfterXRPC(ctx, plugin.XRPCEvent{NSID: nsid, Method: r.Method, Params: r.URL.Query(), Caller: callerOf(v), Status: status})
	}
}

// Handles implements xrpc.PluginHooks.
func (ph *pluginHooks) Handles(nsid string) bool {
	h := ph.host.Load()
	return h != nil && h.Handles(nsid)
}

// ServeCall implements xrpc.PluginHooks: the plugin's xrpc.handle hook
// answers with its own status, encoding and body. When the plugin bundles
// lexicons, the host checks the call against the method's lexicon first
// (a wrong HTTP method is a 405, bad parameters or input a 400 naming the
// field, an NSID without a lexicon a 501) and the answer after (one the
// lexicon does not allow is a 502 PluginFailed naming the plugin). A
// plugin that fails is a 502 PluginFailed naming it.
func (ph *pluginHooks) ServeCall(w http.ResponseWriter, r *http.Request, nsid string, v *xrpc.Viewer) error {
	h := ph.host.Load()
	if h == nil {
		return xrpc.Errorf(http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented: %s", nsid)
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxPluginBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return xrpc.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request body is too large")
		}
		if err != nil {
			return xrpc.Errorf(http.StatusBadRequest, "InvalidRequest", "reading the request body: %v", err)
		}
	}
	req := plugin.XRPCRequest{NSID: nsid, Method: r.Method, Params: r.URL.Query(), Body: body, Auth: callerOf(v)}
	resp, ok, err := h.CallXRPC(r.Context(), req, r.Header.Get("Content-Type"))
	var refused *plugin.CallError
	switch {
	case !ok:
		return xrpc.Errorf(http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented: %s", nsid)
	case errors.As(err, &refused):
		return xrpc.Errorf(refused.Status, refused.Name, "%s", refused.Message)
	case err != nil:
		return xrpc.Errorf(http.StatusBadGateway, "PluginFailed", "plugin %s failed to answer %s", resp.Plugin, nsid)
	}
	if resp.Encoding != "" {
		w.Header().Set("Content-Type", resp.Encoding)
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
	return nil
}
