package plugin

import (
	"context"
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
	"net/url"
	"time"
)

// BlobEvent describes an uploaded blob; plugins read its bytes with blob_read.
type BlobEvent struct {
	Repo, Mime, CID string
	Size            int64
}

func (ev BlobEvent) encode() Message {
	return Message(nil).AddString(wire.TagRepo, ev.Repo).AddString(wire.TagMime, ev.Mime).
		AddString(wire.TagCID, ev.CID).AddUint(wire.TagSize, uint64(max(ev.Size, 0)))
}

// BeforeBlob runs blob.before_upload (hook "blob.before_upload") or
// blob.validate (hook "blob.validate") in priority order; a reject stops.
func (h *Host) BeforeBlob(ctx context.Context, hook string, ev BlobEvent) (Decision, error) {
	return h.beforeChain(ctx, hook, "", ev.encode())
}

// AfterBlob queues blob.after_upload.
func (h *Host) AfterBlob(ctx context.Context, ev BlobEvent) {
	h.afterChain("blob.after_upload", "", ev.encode())
}

// XRPCEvent describes an XRPC call to the middleware hooks.
type XRPCEvent struct {
	NSID, Method string
	Params       url.Values
	Caller       string // DID of the authenticated caller, if any
	Status       int    // after-hooks
}

func (ev XRPCEvent) encode() Message {
	m := Message(nil).AddString(wire.TagNSID, ev.NSID).AddString(wire.TagMethod, ev.Method).
		AddString(wire.TagParams, ev.Params.Encode()).AddString(wire.TagCaller, ev.Caller)
	if ev.Status != 0 {
		m = m.AddUint(wire.TagStatus, uint64(ev.Status))
	}
	return m
}

// BeforeXRPC runs xrpc.before for plugins whose nsids filter matches.
func (h *Host) BeforeXRPC(ctx context.Context, ev XRPCEvent) (Decision, error) {
	return h.beforeChain(ctx, "xrpc.before", ev.NSID, ev.encode())
}

// AfterXRPC queues xrpc.after.
func (h *Host) AfterXRPC(ctx context.Context, ev XRPCEvent) {
	h.afterChain("xrpc.after", ev.NSID, ev.encode())
}

// XRPCRequest is a call to a plugin-registered NSID.
type XRPCRequest struct {
	NSID, Method string
	Params       url.Values
	Body         []byte
	Auth         string // the authenticated caller's DID, if any
}

// XRPCResponse is a plugin's answer.
type XRPCResponse struct {
	Plugin   string
	Status   int
	Encoding string
	Body     []byte
}

// Handles reports whether a plugin registered nsid (the router asks this
// before answering MethodNotImplemented).
func (h *Host) Handles(nsid string) bool { return h.index.Load().handlerFor(nsid) != nil }

// HandleXRPC runs the xrpc.handle hook of the plugin that registered
// req.NSID; ok is false when none did. A plugin failure is an error.
func (h *Host) HandleXRPC(ctx context.Context, req XRPCRequest) (resp XRPCResponse, ok bool, err error) {
	p := h.index.Load().handlerFor(req.NSID)
	if p == nil {
		return XRPCResponse{}, false, nil
	}
	in := Message(nil).AddString(wire.TagNSID, req.NSID).AddString(wire.TagMethod, req.Method).
		AddString(wire.TagParams, req.Params.Encode()).AddString(wire.TagCaller, req.Auth).Add(wire.TagBody, req.Body)
	p.mu.Lock()
	timeout := time.Duration(p.manifest.Limits.AfterTimeoutMS) * time.Millisecond
	p.mu.Unlock()
	ans, err := p.call(ctx, "xrpc.handle", in, timeout)
	if err != nil {
		return XRPCResponse{Plugin: p.id}, true, err
	}
	m := Message(ans)
	body, _ := m.Get(wire.TagBody)
	status := int(m.Uint(wire.TagStatus))
	if status < 100 || status > 599 {
		status = 500
	}
	return XRPCResponse{Plugin: p.id, Status: status, Encoding: m.String(wire.TagEncoding), Body: body}, true, nil
}

// CommitOp is one operation of a firehose commit.
type CommitOp struct{ Action, Path, CID string }

// CommitEvent is a firehose commit.
type CommitEvent struct {
	Seq       int64
	Repo, Rev string
	Ops       []CommitOp
}

// OnCommit queues firehose.on_commit for subscribed plugins.
func (h *Host) OnCommit(ctx context.Context, ev CommitEvent) {
	m := Message(nil).AddUint(wire.TagSeq, uint64(max(ev.Seq, 0))).AddString(wire.TagRepo, ev.Repo).AddString(wire.TagRev, ev.Rev)
	for _, op := range ev.Ops {
		m = m.Add(wire.TagOp, Message(nil).AddString(wire.TagAction, op.Action).AddString(wire.TagPath, op.Path).AddString(wire.TagCID, op.CID))
	}
	h.afterChain("firehose.on_commit", "", m)
}

// GrantEvent is the input of the privacy hooks (never plaintext or keys).
type GrantEvent struct {
	Owner, Collection, Grantee string
	Epoch                      int64
}

func (ev GrantEvent) encode() Message {
	return Message(nil).AddString(wire.TagRepo, ev.Owner).AddString(wire.TagCollection, ev.Collection).
		AddString(wire.TagCaller, ev.Grantee).AddUint(wire.TagSeq, uint64(max(ev.Epoch, 0)))
}

// OnAccessGrantRequest asks plugins whether a grant may be made.
func (h *Host) OnAccessGrantRequest(ctx context.Context, ev GrantEvent) (Decision, error) {
	return h.beforeChain(ctx, "privacy.on_access_grant_request", ev.Collection, ev.encode())
}

// OnKeyRotation notifies plugins of a key rotation.
func (h *Host) OnKeyRotation(ctx context.Context, ev GrantEvent) {
	h.afterChain("privacy.on_key_rotation", ev.Collection, ev.encode())
}

// filterMatch applies a hook's collections/nsids filter to name.
func filterMatch(spec HookSpec, name string) bool {
	if name == "" {
		return true
	}
	if len(spec.Collections) > 0 && !matchAny(spec.Collections, name) {
		return false
	}
	if len(spec.NSIDs) > 0 && !matchAny(spec.NSIDs, name) {
		return false
	}
	return true
}

// granted reports whether the plugin's effective rights include the
// capability hook needs (hookNames): declaring it lets the hook be
// installed, the user's grant decides whether it is called.
func (e hookEntry) granted(hook string) bool {
	need := hookNames[hook]
	if need == "" {
		return true
	}
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	_, ok := findCap(e.p.saved.Granted, need)
	return ok
}

func (h *Host) beforeChain(ctx context.Context, hook, name string, input Message) (Decision, error) {
	for _, e := range h.index.Load().hooks[hook] {
		if !filterMatch(e.spec, name) || !e.granted(hook) {
			continue
		}
		d, _, err := h.before(ctx, e.p, hook, input)
		if err != nil || d.Verdict == Reject {
			return d, err
		}
	}
	return Decision{}, nil
}

func (h *Host) afterChain(hook, name string, input Message) {
	for _, e := range h.index.Load().hooks[hook] {
		if filterMatch(e.spec, name) && e.granted(hook) {
			h.async(e.p, hook, input)
		}
	}
}
