package plugin

import (
	"context"
	"fmt"
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
	"time"

	"github.com/bluesky-social/indigo/atproto/atdata"
)

// RecordOp is a record write's action, as the hooks name it.
type RecordOp string

// Record operations.
const (
	OpCreate RecordOp = "create"
	OpUpdate RecordOp = "update"
	OpDelete RecordOp = "delete"
)

// Verdict is what before-hooks decided.
type Verdict int

// Verdicts.
const (
	Continue Verdict = iota // proceed, with Record if a plugin replaced it
	Reject                  // refuse: an XRPC 400 naming Plugin
	Replace                 // proceed with Record instead (re-validate it)
)

// Decision is the outcome of a chain of before-hooks.
type Decision struct {
	Verdict Verdict
	Plugin  string // who rejected (or last replaced)
	Error   string // XRPC error name of a reject, e.g. ContentRejected
	Message string
	Record  map[string]any // Replace: the record to write
}

// Wire verdicts (first byte of a before-hook's answer).
const (
	wireAllow   = 0
	wireReject  = 1
	wireReplace = 2
)

// RecordEvent describes a record write to the record hooks.
type RecordEvent struct {
	Op         RecordOp
	Repo       string // DID
	Collection string
	RKey       string
	CID        string         // after-hooks
	Actor      string         // a delegate acting for Repo, if any
	Record     map[string]any // nil on delete
}

func (ev RecordEvent) encode(record []byte) Message {
	m := Message(nil).AddString(wire.TagRepo, ev.Repo).AddString(wire.TagCollection, ev.Collection).AddString(wire.TagRKey, ev.RKey)
	if ev.CID != "" {
		m = m.AddString(wire.TagCID, ev.CID)
	}
	if ev.Actor != "" {
		m = m.AddString(wire.TagActor, ev.Actor)
	}
	if record != nil {
		m = m.Add(wire.TagRecord, record)
	}
	return m
}

// BeforeRecord runs the record.before_<op> hooks whose collection filter
// matches, in priority order. A reject stops the chain; a replacement is
// passed to the next plugin and returned (the caller validates it again).
// A hook that traps or times out rejects or is skipped, per its on_error.
// The error is for the host's own failures (a record it cannot encode).
func (h *Host) BeforeRecord(ctx context.Context, ev RecordEvent) (Decision, error) {
	chain := h.index.Load().hooks["record.before_"+string(ev.Op)]
	if len(chain) == 0 {
		return Decision{}, nil
	}
	var cbor []byte
	if ev.Record != nil {
		var err error
		if cbor, err = atdata.MarshalCBOR(ev.Record); err != nil {
			return Decision{}, fmt.Errorf("plugin hooks: encode record: %w", err)
		}
	}
	out := Decision{}
	for _, e := range chain {
		if len(e.spec.Collections) > 0 && !matchAny(e.spec.Collections, ev.Collection) {
			continue
		}
		d, replaced, err := h.before(ctx, e.p, "record.before_"+string(ev.Op), ev.encode(cbor))
		if err != nil {
			return Decision{}, err
		}
		if d.Verdict == Reject {
			return d, nil
		}
		if replaced != nil {
			rec, err := atdata.UnmarshalCBOR(replaced)
			if err != nil {
				return Decision{Verdict: Reject, Plugin: e.p.id, Error: "InvalidRecord",
					Message: fmt.Sprintf("plugin %s replaced the record with invalid data: %v", e.p.id, err)}, nil
			}
			cbor, ev.Record = replaced, rec
			out = Decision{Verdict: Replace, Plugin: e.p.id, Record: rec}
		}
	}
	return out, nil
}

// before calls one before-hook and interprets its answer.
func (h *Host) before(ctx context.Context, p *Plugin, hook string, input []byte) (Decision, []byte, error) {
	p.mu.Lock()
	limits := p.manifest.Limits
	p.mu.Unlock()
	ans, err := p.call(ctx, hook, input, time.Duration(limits.BeforeTimeoutMS)*time.Millisecond)
	if err != nil {
		if ctx.Err() != nil {
			return Decision{}, nil, ctx.Err()
		}
		if limits.OnError == "allow" {
			return Decision{}, nil, nil
		}
		return Decision{Verdict: Reject, Plugin: p.id, Error: "PluginFailed",
			Message: fmt.Sprintf("plugin %s failed: %v", p.id, err)}, nil, nil
	}
	if len(ans) == 0 || ans[0] == wireAllow {
		return Decision{}, nil, nil
	}
	m := Message(ans[1:])
	switch ans[0] {
	case wireReject:
		name := m.String(wire.TagError)
		if name == "" {
			name = "PluginRejected"
		}
		msg := m.String(wire.TagMessage)
		return Decision{Verdict: Reject, Plugin: p.id, Error: name, Message: msg}, nil, nil
	case wireReplace:
		rec, ok := m.Get(wire.TagRecord)
		if ok {
			return Decision{}, rec, nil
		}
	}
	return Decision{Verdict: Reject, Plugin: p.id, Error: "PluginFailed",
		Message: fmt.Sprintf("plugin %s answered %s with an unknown verdict", p.id, hook)}, nil, nil
}

// AfterRecord queues the record.after_<op> hooks; it never blocks or fails
// the write (a full queue drops the event, logged).
func (h *Host) AfterRecord(ctx context.Context, ev RecordEvent) {
	chain := h.index.Load().hooks["record.after_"+string(ev.Op)]
	if len(chain) == 0 {
		return
	}
	var cbor []byte
	if ev.Record != nil {
		var err error
		if cbor, err = atdata.MarshalCBOR(ev.Record); err != nil {
			h.log.Warn("plugin after-hook: record not encodable", "err", err)
			return
		}
	}
	input := ev.encode(cbor)
	for _, e := range chain {
		if len(e.spec.Collections) > 0 && !matchAny(e.spec.Collections, ev.Collection) {
			continue
		}
		h.async(e.p, "record.after_"+string(ev.Op), input)
	}
}

// async queues one after-hook call off the request path.
func (h *Host) async(p *Plugin, hook string, input []byte) {
	p.mu.Lock()
	timeout := time.Duration(p.manifest.Limits.AfterTimeoutMS) * time.Millisecond
	p.mu.Unlock()
	h.afterMu.RLock()
	defer h.afterMu.RUnlock()
	if h.afterClosed {
		return
	}
	h.afterWG.Add(1)
	job := func() {
		defer h.afterWG.Done()
		_, _ = p.call(context.Background(), hook, input, timeout)
	}
	select {
	case h.after <- job:
	default:
		h.afterWG.Done()
		h.log.Warn("plugin after-hook queue full; event dropped", "plugin", p.id, "hook", hook)
	}
}

func (h *Host) afterWorker() {
	defer h.workers.Done()
	for job := range h.after {
		job()
	}
}

// Flush waits until the queued after-hooks have run (tests, shutdown).
func (h *Host) Flush() { h.afterWG.Wait() }
