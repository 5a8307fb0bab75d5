package repo_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// textHooks refuses posts saying "no", upper-cases posts saying "shout",
// replaces posts saying "bad" with a record of another $type, and records
// what AfterCommit saw (panicking on "panic").
type textHooks struct {
	mu    sync.Mutex
	seen  []string // rkeys BeforeWrite saw
	after []string // "action collection/rkey text"
}

func (h *textHooks) BeforeWrite(_ context.Context, did, actor string, w repo.Write) (map[string]any, error) {
	h.mu.Lock()
	h.seen = append(h.seen, w.RKey)
	h.mu.Unlock()
	text, _ := w.Record["text"].(string)
	switch text {
	case "no":
		return nil, &repo.HookRejectedError{Plugin: "dev.test.p", Name: "ContentRejected", Message: "not this"}
	case "shout":
		return map[string]any{"$type": "app.bsky.feed.post", "text": "SHOUT", "createdAt": "2026-01-01T00:00:00.000Z"}, nil
	case "bad":
		return map[string]any{"$type": "app.bsky.feed.like"}, nil
	}
	return nil, nil
}

func (h *textHooks) AfterCommit(_ context.Context, did, actor string, writes []repo.Write, res *repo.Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, r := range res.Writes {
		text, _ := writes[i].Record["text"].(string)
		h.after = append(h.after, r.Action.String()+" "+r.Collection+"/"+r.RKey+" "+text)
		if text == "panic" {
			panic("after-commit hook")
		}
	}
}

// TestHooks: a refusal fails the whole Apply with an InvalidWriteError
// naming the plugin and leaves the repo unchanged; a replacement is stored
// and validated again; creates without a key get it before the hook; a
// panicking AfterCommit does not fail the write.
func TestHooks(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		st := open(t)
		hooks := &textHooks{}
		f := &fixture{st: st, keys: &keyring{keys: map[string]atcrypto.PrivateKey{}}}
		f.engine = repo.NewEngine(repo.Config{Store: st, Keys: f.keys, Hooks: hooks, Validator: typeValidator{}})
		t.Cleanup(f.engine.Close)
		ctx := context.Background()
		did := f.newRepo(t, 1)
		before, _ := st.GetRepoRoot(ctx, did)

		_, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "a", post("fine")), create("app.bsky.feed.post", "b", post("no"))}, repo.ApplyOptions{})
		var iw *repo.InvalidWriteError
		var rej *repo.HookRejectedError
		if !errors.As(err, &iw) || iw.Index != 1 || !errors.As(err, &rej) || !strings.HasSuffix(iw.Message, "(plugin dev.test.p)") {
			t.Fatalf("refusal: %v", err)
		}
		if after, _ := st.GetRepoRoot(ctx, did); after != before {
			t.Fatal("a refused Apply moved the repo")
		}
		if _, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "c", post("bad"))}, repo.ApplyOptions{}); !errors.As(err, &iw) {
			t.Fatalf("an invalid replacement was accepted: %v", err)
		}

		res, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "", post("shout")), create("app.bsky.feed.post", "p", post("panic"))}, repo.ApplyOptions{})
		if err != nil {
			t.Fatalf("write whose after-hook panics: %v", err)
		}
		rec, err := st.GetRecord(ctx, did, "app.bsky.feed.post", res.Writes[0].RKey)
		if err != nil || !strings.Contains(string(rec.Value), "SHOUT") {
			t.Fatalf("replaced record: %v %q", err, rec.Value)
		}
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		if last := hooks.seen[len(hooks.seen)-2]; last != res.Writes[0].RKey {
			t.Errorf("BeforeWrite saw rkey %q, the write got %q", last, res.Writes[0].RKey)
		}
		if len(hooks.after) != 2 || hooks.after[0] != "create app.bsky.feed.post/"+res.Writes[0].RKey+" SHOUT" {
			t.Errorf("AfterCommit saw %v", hooks.after)
		}
	})
}

// typeValidator accepts known collections whose record is a post with text.
type typeValidator struct{}

func (typeValidator) ValidateRecord(collection string, record map[string]any) (bool, error) {
	if _, ok := record["text"].(string); !ok {
		return true, errors.New("text is required")
	}
	return true, nil
}
