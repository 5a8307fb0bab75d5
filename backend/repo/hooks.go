package repo

import (
	"context"
	"fmt"
)

// Hooks let code outside the engine (the plugin host) see and steer
// writes. Both methods must be safe for concurrent use.
type Hooks interface {
	// BeforeWrite runs for each write of an Apply, in order, before the
	// write is encoded and validated (a Create without a record key has
	// one assigned first). actor is the delegate acting for did, if any.
	// A non-nil record replaces the write's record (and is validated like
	// any other); an error refuses the whole Apply, leaving the repo
	// unchanged: a *HookRejectedError for a refusal meant for the client.
	BeforeWrite(ctx context.Context, did, actor string, w Write) (record map[string]any, err error)
	// AfterCommit runs once a commit is durable, with the writes as
	// applied (after any replacement) and their results (writes[i] went
	// with res.Writes[i]). It must not block: the write's caller is
	// waiting; implementations queue their work. It cannot fail the write.
	AfterCommit(ctx context.Context, did, actor string, writes []Write, res *Result)
}

// HookRejectedError is a before-hook's refusal of a write: Plugin names who
// refused, Name an XRPC error name it chose (may be empty), Message the
// reason for the client.
type HookRejectedError struct {
	Plugin  string
	Name    string
	Message string
}

func (e *HookRejectedError) Error() string {
	return fmt.Sprintf("%s (plugin %s)", e.Message, e.Plugin)
}

// runBeforeHooks runs BeforeWrite on every write and returns the writes to
// prepare. A refusal becomes an *InvalidWriteError (a 400 naming the
// plugin) wrapping the *HookRejectedError.
func (e *Engine) runBeforeHooks(ctx context.Context, did string, writes []Write, opts ApplyOptions) ([]Write, error) {
	if e.hooks == nil || len(writes) == 0 || len(writes) > MaxWrites {
		return writes, nil
	}
	out := make([]Write, len(writes))
	for i, w := range writes {
		if w.Action == Create && w.RKey == "" {
			w.RKey = e.nextTID()
		}
		rec, err := e.hooks.BeforeWrite(ctx, did, opts.Actor, w)
		if err != nil {
			if rej, ok := err.(*HookRejectedError); ok {
				return nil, &InvalidWriteError{Index: i, Message: rej.Error(), Err: rej}
			}
			return nil, fmt.Errorf("before-write hooks: %w", err)
		}
		if rec != nil && w.Action != Delete {
			w.Record = rec
		}
		out[i] = w
	}
	return out, nil
}

// runAfterHooks hands a durable commit to AfterCommit; a panic there is
// logged and never reaches the writer.
func (e *Engine) runAfterHooks(ctx context.Context, did string, preps []*prepared, opts ApplyOptions, res *Result) {
	if e.hooks == nil || res == nil || res.Commit == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("after-commit hook panicked", "did", did, "panic", r)
		}
	}()
	e.hooks.AfterCommit(context.WithoutCancel(ctx), did, opts.Actor, preparedWrites(preps), res)
}

// preparedWrites returns the writes as applied: record keys assigned and
// $type filled in.
func preparedWrites(preps []*prepared) []Write {
	out := make([]Write, len(preps))
	for i, p := range preps {
		out[i] = p.Write
	}
	return out
}
