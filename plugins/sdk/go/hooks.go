package pdsplugin

import "github.com/hearthpds/hearth/plugins/sdk/go/wire"

// RecordEvent is the input of the record hooks.
type RecordEvent struct {
	Action     string // create, update, delete
	Repo       string // DID
	Collection string
	RKey       string
	CID        string // after-hooks: the record's CID
	Actor      string // who asked for the write, when not the repo's owner
	Record     Record // DAG-CBOR; nil on delete
	Prev       Record // the previous record on update and delete, when known
}

// BlobEvent is the input of the blob hooks; the bytes are read with ReadBlob.
type BlobEvent struct {
	Repo, Mime, CID string
	Size            int64
}

// XRPCEvent is the input of the xrpc middleware hooks.
type XRPCEvent struct {
	NSID, Method, Params, Caller string
	Status                       int // after-hooks only
}

// XRPCRequest is a call to an endpoint the plugin registered.
type XRPCRequest struct {
	NSID, Method, Params, Auth string
	Body                       []byte
}

// XRPCResponse is the plugin's answer to an XRPCRequest.
type XRPCResponse struct {
	Status   int
	Encoding string
	Body     []byte
}

// CommitOp is one operation of a firehose commit.
type CommitOp struct{ Action, Path, CID string }

// CommitEvent is a firehose commit.
type CommitEvent struct {
	Seq       int64
	Repo, Rev string
	Ops       []CommitOp
}

// GrantEvent is the input of the privacy hooks (never plaintext or keys).
type GrantEvent struct {
	Owner, Collection, Grantee string
	Epoch                      int64
}

// Decision is a before-hook's answer.
type Decision struct {
	verdict byte
	Error   string
	Message string
	Record  Record
}

// Rejected reports whether d refuses the operation.
func (d Decision) Rejected() bool { return d.verdict == wire.VerdictReject }

// Replaced reports whether d substitutes a record.
func (d Decision) Replaced() bool { return d.verdict == wire.VerdictReplace }

// Allow lets the operation proceed unchanged.
func Allow() Decision { return Decision{} }

// Reject refuses the operation; the client sees an XRPC 400 with errName
// (e.g. "ContentRejected") and msg, naming the plugin.
func Reject(errName, msg string) Decision {
	return Decision{verdict: wire.VerdictReject, Error: errName, Message: msg}
}

// Replace substitutes rec for the record (the host validates it again).
func Replace(rec Record) Decision { return Decision{verdict: wire.VerdictReplace, Record: rec} }

func (d Decision) encode() []byte {
	if d.verdict == wire.VerdictAllow {
		return nil
	}
	m := Message{d.verdict}
	if d.Error != "" {
		m = m.AddString(wire.TagError, d.Error)
	}
	if d.Message != "" {
		m = m.AddString(wire.TagMessage, d.Message)
	}
	if d.Record != nil {
		m = m.Add(wire.TagRecord, d.Record)
	}
	return m
}

// Plugin is the set of hooks a plugin implements; nil hooks are not called
// (a before-hook left nil allows). Only hooks declared in plugin.toml are
// ever called by the host.
type Plugin struct {
	BeforeRecord         func(RecordEvent) Decision
	AfterRecord          func(RecordEvent)
	BeforeBlobUpload     func(BlobEvent) Decision
	ValidateBlob         func(BlobEvent) Decision
	AfterBlobUpload      func(BlobEvent)
	XRPCBefore           func(XRPCEvent) Decision
	XRPCAfter            func(XRPCEvent)
	XRPCHandle           func(XRPCRequest) XRPCResponse
	OnCommit             func(CommitEvent)
	OnAccessGrantRequest func(GrantEvent) Decision
	OnKeyRotation        func(GrantEvent)
}

var registered Plugin

// Register installs p's hooks; call it from main (or init).
func Register(p Plugin) { registered = p }

// Decoders of the hook inputs (exported for tests of plugins).

// DecodeRecordEvent decodes a record hook's input.
func DecodeRecordEvent(action string, m Message) RecordEvent {
	rec, _ := m.Get(wire.TagRecord)
	prev, _ := m.Get(wire.TagPrev)
	return RecordEvent{Action: action, Repo: m.String(wire.TagRepo), Collection: m.String(wire.TagCollection),
		RKey: m.String(wire.TagRKey), CID: m.String(wire.TagCID), Actor: m.String(wire.TagActor), Record: rec, Prev: prev}
}

// DecodeBlobEvent decodes a blob hook's input.
func DecodeBlobEvent(m Message) BlobEvent {
	return BlobEvent{Repo: m.String(wire.TagRepo), Mime: m.String(wire.TagMime), CID: m.String(wire.TagCID), Size: int64(m.Uint(wire.TagSize))}
}

// DecodeXRPCEvent decodes an xrpc middleware hook's input.
func DecodeXRPCEvent(m Message) XRPCEvent {
	return XRPCEvent{NSID: m.String(wire.TagNSID), Method: m.String(wire.TagMethod), Params: m.String(wire.TagParams),
		Caller: m.String(wire.TagCaller), Status: int(m.Uint(wire.TagStatus))}
}

// DecodeXRPCRequest decodes an xrpc.handle input.
func DecodeXRPCRequest(m Message) XRPCRequest {
	body, _ := m.Get(wire.TagBody)
	return XRPCRequest{NSID: m.String(wire.TagNSID), Method: m.String(wire.TagMethod), Params: m.String(wire.TagParams),
		Auth: m.String(wire.TagCaller), Body: body}
}

// DecodeCommitEvent decodes a firehose.on_commit input.
func DecodeCommitEvent(m Message) CommitEvent {
	ev := CommitEvent{Seq: int64(m.Uint(wire.TagSeq)), Repo: m.String(wire.TagRepo), Rev: m.String(wire.TagRev)}
	_ = m.Each(func(tag byte, v []byte) error {
		if tag == wire.TagOp {
			op := Message(v)
			ev.Ops = append(ev.Ops, CommitOp{Action: op.String(wire.TagAction), Path: op.String(wire.TagPath), CID: op.String(wire.TagCID)})
		}
		return nil
	})
	return ev
}

// DecodeGrantEvent decodes a privacy hook's input.
func DecodeGrantEvent(m Message) GrantEvent {
	return GrantEvent{Owner: m.String(wire.TagRepo), Collection: m.String(wire.TagCollection),
		Grantee: m.String(wire.TagCaller), Epoch: int64(m.Uint(wire.TagSeq))}
}

func encodeXRPCResponse(r XRPCResponse) []byte {
	return Message(nil).AddUint(wire.TagStatus, uint64(r.Status)).AddString(wire.TagEncoding, r.Encoding).Add(wire.TagBody, r.Body)
}
