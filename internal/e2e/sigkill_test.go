package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/atclient"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/sqlite"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestSIGKILLDuringWrites kills the server with SIGKILL while 8 clients
// write, restarts it on the same database, and checks that every
// acknowledged record is in the repo, that the repo's signed tree verifies
// and matches the record index, and that writing goes on.
func TestSIGKILLDuringWrites(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		plc := testpds.StartPLC(t)
		addr, dir, db := freeAddr(t), t.TempDir(), dbURL(t)
		env := []string{
			"HEARTH_LISTEN=" + addr, "HEARTH_PUBLIC_URL=http://" + addr, "HEARTH_DATA_DIR=" + dir,
			"HEARTH_DB=" + db, "HEARTH_PLC_URL=" + plc, "HEARTH_HANDLE_DOMAINS=.test", "HEARTH_INVITE_REQUIRED=false",
		}
		p := startServer(t, addr, env)
		did := createAccount(t, p.url, "crash.test")

		acked := writeUntilKilled(t, p, did)
		if len(acked) < 50 {
			t.Fatalf("only %d writes acknowledged before the kill", len(acked))
		}
		p = startServer(t, addr, env)
		client := login(t, p.url, "crash.test")
		var out struct{ URI string }
		if err := client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post("after restart")}, &out); err != nil {
			t.Fatalf("write after restart: %v", err)
		}
		p.kill()
		checkRepo(t, db, did, acked)
	})
}

// writeUntilKilled runs 8 writers, kills the server after a few hundred
// acknowledged writes while they are still writing, and returns the paths
// of the acknowledged records.
func writeUntilKilled(t *testing.T, p *proc, did string) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	acked := map[string]bool{}
	var count atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		client := login(t, p.url, "crash.test")
		wg.Go(func() {
			for i := 0; ; i++ {
				var out struct{ URI string }
				err := client.Post(context.Background(), "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post(fmt.Sprintf("w%d-%d", w, i))}, &out)
				if err != nil {
					return // the server is gone
				}
				u, err := syntax.ParseATURI(out.URI)
				if err != nil {
					t.Errorf("createRecord returned uri %q: %v", out.URI, err)
					return
				}
				mu.Lock()
				acked[u.Collection().String()+"/"+u.RecordKey().String()] = true
				mu.Unlock()
				count.Add(1)
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for count.Load() < 400 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.kill()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return acked
}

// checkRepo opens the database directly, exports the repo, verifies it and
// checks it holds every acknowledged record and agrees with the index.
func checkRepo(t *testing.T, db, did string, acked map[string]bool) {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, db)
	engine := repo.NewEngine(repo.Config{Store: st})
	defer engine.Close()
	var buf bytes.Buffer
	if _, err := engine.ExportCAR(ctx, did, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	_, r, err := indigorepo.LoadRepoFromCAR(ctx, &buf)
	if err != nil {
		t.Fatalf("repo does not load: %v", err)
	}
	inTree := map[string]bool{}
	if err := r.MST.Walk(func(k []byte, _ cid.Cid) error { inTree[string(k)] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for path := range acked {
		if !inTree[path] {
			t.Errorf("acknowledged record %s is missing after the crash", path)
		}
	}
	indexed, err := st.ListRecords(ctx, did, "app.bsky.feed.post", store.ListRecordsOptions{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if len(indexed) != len(inTree) {
		t.Errorf("record index has %d rows, the signed tree %d records", len(indexed), len(inTree))
	}
	t.Logf("%d acknowledged before SIGKILL; %d records in the tree after restart", len(acked), len(inTree))
}

func openStore(t *testing.T, db string) store.Store {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	var st store.Store
	var err error
	if path, ok := strings.CutPrefix(db, "sqlite://"); ok {
		st, err = sqlite.Open(ctx, filepath.Clean(path), log)
	} else {
		st, err = postgres.Open(ctx, db, log)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func createAccount(t *testing.T, base, handle string) string {
	t.Helper()
	var out struct {
		DID string `json:"did"`
	}
	err := atclient.NewAPIClient(base).Post(context.Background(), "com.atproto.server.createAccount", map[string]any{"handle": handle, "password": "a long enough password"}, &out)
	if err != nil {
		t.Fatalf("createAccount: %v", err)
	}
	return out.DID
}

func login(t *testing.T, base, handle string) *atclient.APIClient {
	t.Helper()
	c, err := atclient.LoginWithPasswordHost(context.Background(), base, handle, "a long enough password", "", nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

func post(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00.000Z"}
}
