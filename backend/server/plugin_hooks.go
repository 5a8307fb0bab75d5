package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// pluginHooks adapts the plugin host to the repo engine's Hooks. The
// engine is built before the host (the host reads through the engine), so
// the host is set once it opens; until then, and without plugins, writes
// pass untouched.
type pluginHooks struct {
	host    atomic.Pointer[plugin.Host]
	store   store.Repos
	pending sync.Map // "did cid" → path of an upload under check
}

var _ repo.Hooks = (*pluginHooks)(nil)

// BeforeWrite implements repo.Hooks: the record.before_<op> chain. A Put
// runs the update hooks if the record exists, else the create hooks.
func (ph *pluginHooks) BeforeWrite(ctx context.Context, did, actor string, w repo.Write) (map[string]any, error) {
	h := ph.host.Load()
	if h == nil {
		return nil, nil
	}
	op, err := ph.op(ctx, did, w)
	if err != nil {
		return nil, err
	}
	d, err := h.BeforeRecord(ctx, plugin.RecordEvent{Op: op, Repo: did, Collection: w.Collection, RKey: w.RKey, Actor: actor, Record: w.Record})
	if err != nil {
		return nil, err
	}
	switch d.Verdict {
	case plugin.Reject:
		return nil, &repo.HookRejectedError{Plugin: d.Plugin, Name: d.Error, Message: d.Message}
	case plugin.Replace:
		return d.Record, nil
	}
	return nil, nil
}

func (ph *pluginHooks) op(ctx context.Context, did string, w repo.Write) (plugin.RecordOp, error) {
	switch w.Action {
	case repo.Create:
		return plugin.OpCreate, nil
	case repo.Update:
		return plugin.OpUpdate, nil
	case repo.Delete:
		return plugin.OpDelete, nil
	}
	if h := ph.host.Load(); h == nil || !h.HasHook("record.before_create") && !h.HasHook("record.before_update") {
		return plugin.OpCreate, nil // no hook to choose between
	}
	_, err := ph.store.GetRecord(ctx, did, w.Collection, w.RKey)
	switch {
	case err == nil:
		return plugin.OpUpdate, nil
	case errors.Is(err, store.ErrNotFound):
		return plugin.OpCreate, nil
	}
	return "", err
}

// AfterCommit implements repo.Hooks: queues the record.after_<op> hooks
// (the host runs them on its own workers; they never fail the write).
func (ph *pluginHooks) AfterCommit(ctx context.Context, did, actor string, writes []repo.Write, res *repo.Result) {
	h := ph.host.Load()
	if h == nil {
		return
	}
	for i, r := range res.Writes {
		ev := plugin.RecordEvent{Repo: did, Collection: r.Collection, RKey: r.RKey, Actor: actor, Record: writes[i].Record}
		switch r.Action {
		case repo.Create:
			ev.Op = plugin.OpCreate
		case repo.Update:
			ev.Op = plugin.OpUpdate
		default:
			ev.Op, ev.Record = plugin.OpDelete, nil
		}
		if r.CID.Defined() {
			ev.CID = r.CID.String()
		}
		h.AfterRecord(ctx, ev)
	}
}

// pluginCommits hands the firehose's #commit events to the plugins'
// firehose.on_commit hooks (queued: the sequencer never waits).
func (s *Server) pluginCommits(events []store.StoredEvent) {
	if s.pluginHooks == nil {
		return
	}
	h := s.pluginHooks.host.Load()
	if h == nil || !h.HasHook("firehose.on_commit") {
		return
	}
	for _, ev := range events {
		if ev.Type != firehose.TypeCommit {
			continue
		}
		m, err := firehose.DecodeMessage(ev.Body)
		if err != nil || m.Commit == nil {
			s.log.Warn("plugins: undecodable commit event", "seq", ev.Seq, "err", err)
			continue
		}
		ce := plugin.CommitEvent{Seq: ev.Seq, Repo: m.Commit.Repo, Rev: m.Commit.Rev}
		for _, op := range m.Commit.Ops {
			o := plugin.CommitOp{Action: op.Action, Path: op.Path}
			if op.Cid != nil {
				o.CID = cid.Cid(*op.Cid).String()
			}
			ce.Ops = append(ce.Ops, o)
		}
		h.OnCommit(context.Background(), ce)
	}
}
