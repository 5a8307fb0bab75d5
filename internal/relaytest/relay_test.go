package relaytest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/atproto/atclient"
	"github.com/bluesky-social/indigo/cmd/relay/stream"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/server"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
	"github.com/hearthpds/hearth/internal/relaytest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestRelayFollowsHearth is acceptance 8 of the firehose issue: indigo's
// relay, asked to crawl by Hearth's requestCrawl, subscribes to Hearth's
// firehose and re-broadcasts every commit without logging a warning, also
// after its connection is cut and it reconnects with a cursor.
func TestRelayFollowsHearth(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		logs := newTestLogger(t)
		relayDB := pgtest.URL(t)
		plcURL := testpds.StartPLC(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		prox := startProxy(t, ln.Addr().String())
		host := "localhost:" + prox.port()
		rl := relaytest.Start(t, relaytest.Options{DBURL: relayDB, PLCURL: plcURL, Trusted: []string{host}, Logger: logs})
		out := follow(t, rl)
		pds := startHearth(t, logs, ln, "http://"+host, dbURL(t), plcURL, rl.URL)
		t.Cleanup(rl.Disconnect) // before Hearth stops
		waitFor(t, "the relay to subscribe after requestCrawl", func() bool { return len(rl.Hosts()) == 1 })

		clients := []*atclient.APIClient{}
		for i := range 2 {
			c, did := createAccount(t, pds, fmt.Sprintf("relay%d.test", i))
			clients = append(clients, c)
			writeRecords(t, c, did, fmt.Sprintf("a%d", i), 20)
		}
		want := hearthCommits(t, pds)
		waitFor(t, "the relay to re-broadcast the first commits", func() bool { return out.count() >= len(want) })
		settle(t, rl, host, pds, out, clients[0])

		prox.cut()
		for i, c := range clients {
			writeRecords(t, c, c.AccountDID.String(), fmt.Sprintf("b%d", i), 20)
		}
		want = hearthCommits(t, pds)
		waitFor(t, "the relay to re-broadcast every commit", func() bool { return out.count() >= len(want) })
		time.Sleep(200 * time.Millisecond) // a duplicate would arrive now
		checkSameCommits(t, want, out.commits())
		checkReconnected(t, prox.requests())
		checkNoWarnings(t, rl.Warnings())
	})
}

// settle makes the relay's cursor exact before the cut. indigo's relay
// reconnects from the cursor it last checkpointed, which lags: a seq counts
// only once every lower seq in flight is done, and the subscription copies
// it before the event that completes it. A relay cut off right after a
// burst therefore asks again for commits it already has, and warns
// "dropping commit with old rev" about them, whatever the PDS does. So:
// one commit processed alone (nothing lower in flight), then wait until the
// relay's periodic checkpoint (every 4 s) has recorded it.
func settle(t *testing.T, rl *relaytest.Relay, host string, pds *server.Server, out *relayOutput, c *atclient.APIClient) {
	t.Helper()
	n := out.count()
	writeRecords(t, c, c.AccountDID.String(), "settle", 1)
	waitFor(t, "the relay to re-broadcast the settling commit", func() bool { return out.count() > n })
	latest, err := pds.Store().LatestSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the relay to checkpoint its cursor", func() bool {
		h, err := rl.Relay.GetHost(context.Background(), host)
		return err == nil && h.LastSeq == latest
	})
}

// commitKey identifies a commit in both streams.
type commitKey struct{ repo, rev, cid string }

// relayOutput collects the commits the relay re-broadcasts.
type relayOutput struct {
	mu   sync.Mutex
	keys []commitKey
}

func follow(t *testing.T, rl *relaytest.Relay) *relayOutput {
	ctx, cancel := context.WithCancel(context.Background())
	events, stop, err := rl.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := &relayOutput{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for evt := range events {
			out.add(evt)
		}
	}()
	t.Cleanup(func() {
		cancel()
		stop()
		<-done
	})
	return out
}

func (o *relayOutput) add(evt *stream.XRPCStreamEvent) {
	if evt.RepoCommit == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	c := evt.RepoCommit
	o.keys = append(o.keys, commitKey{c.Repo, c.Rev, c.Commit.String()})
}

func (o *relayOutput) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.keys)
}

func (o *relayOutput) commits() []commitKey {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]commitKey(nil), o.keys...)
}

// hearthCommits replays Hearth's firehose from the start and returns its
// commits.
func hearthCommits(t *testing.T, pds *server.Server) []commitKey {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	latest, err := pds.Store().LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := firehose.Subscribe(ctx, pdsURL(pds), new(int64), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var keys []commitKey
	for seq := int64(0); seq < latest; {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seq = m.Seq
		if c := m.Commit; c != nil {
			keys = append(keys, commitKey{c.Repo, c.Rev, c.Commit.String()})
		}
	}
	return keys
}

// checkSameCommits wants every Hearth commit re-broadcast exactly once,
// each repo's in order.
func checkSameCommits(t *testing.T, want, got []commitKey) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("the relay re-broadcast %d commits, Hearth made %d", len(got), len(want))
	}
	byRepo := func(keys []commitKey) map[string][]commitKey {
		m := map[string][]commitKey{}
		for _, k := range keys {
			m[k.repo] = append(m[k.repo], k)
		}
		return m
	}
	w, g := byRepo(want), byRepo(got)
	for repo, ks := range w {
		if fmt.Sprint(ks) != fmt.Sprint(g[repo]) {
			t.Errorf("%s: the relay's commits differ from Hearth's:\n got %v\nwant %v", repo, g[repo], ks)
		}
	}
}

// checkReconnected wants a second subscription, with a cursor.
func checkReconnected(t *testing.T, requests []string) {
	t.Helper()
	var subs []string
	for _, r := range requests {
		if strings.Contains(r, "com.atproto.sync.subscribeRepos") {
			subs = append(subs, r)
		}
	}
	if len(subs) < 2 || !strings.Contains(subs[len(subs)-1], "cursor=") {
		t.Errorf("the relay did not reconnect with a cursor: %q", subs)
	}
}

// checkNoWarnings allows only the relay's report of the cut connection.
func checkNoWarnings(t *testing.T, records []relaytest.Record) {
	t.Helper()
	for _, r := range records {
		if r.Message == "host connection failed" {
			continue
		}
		t.Errorf("relay warning: %s", r)
	}
}

func startHearth(t *testing.T, log *slog.Logger, ln net.Listener, publicURL, dbURL, plcURL, relayURL string) *server.Server {
	t.Helper()
	cfg, _, err := config.Load([]string{
		"--listen", ln.Addr().String(), "--public-url", publicURL, "--data-dir", t.TempDir(), "--db", dbURL,
		"--plc-url", plcURL, "--handle-domains", ".test", "--relays", relayURL, "--invite-required=false",
	}, nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	srv, err := server.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	servers.Store(srv, "http://"+ln.Addr().String())
	return srv
}

// servers maps a test server to its loopback URL.
var servers sync.Map

func pdsURL(s *server.Server) string {
	u, _ := servers.Load(s)
	return u.(string)
}

func createAccount(t *testing.T, pds *server.Server, handle string) (*atclient.APIClient, string) {
	t.Helper()
	ctx := context.Background()
	pw := "a long enough password"
	out, err := comatproto.ServerCreateAccount(ctx, atclient.NewAPIClient(pdsURL(pds)), &comatproto.ServerCreateAccount_Input{Handle: handle, Password: &pw})
	if err != nil {
		t.Fatalf("createAccount %s: %v", handle, err)
	}
	c, err := atclient.LoginWithPasswordHost(ctx, pdsURL(pds), handle, pw, "", nil)
	if err != nil {
		t.Fatalf("login %s: %v", handle, err)
	}
	return c, out.Did
}

// writeRecords creates n records, updating and deleting some.
func writeRecords(t *testing.T, c *atclient.APIClient, did, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	coll := "app.bsky.feed.post"
	rec := func(text string) map[string]any {
		return map[string]any{"$type": coll, "text": text, "createdAt": "2026-11-25T00:00:00.000Z"}
	}
	for i := range n {
		rkey := fmt.Sprintf("%s-%d", prefix, i)
		must(t, c.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": coll, "rkey": rkey, "record": rec("x")}, nil))
		switch i % 3 {
		case 1:
			must(t, c.Post(ctx, "com.atproto.repo.putRecord", map[string]any{"repo": did, "collection": coll, "rkey": rkey, "record": rec("y")}, nil))
		case 2:
			must(t, c.Post(ctx, "com.atproto.repo.deleteRecord", map[string]any{"repo": did, "collection": coll, "rkey": rkey}, nil))
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newTestLogger logs warnings to the test log until the test's cleanups
// are done (the relay's goroutines may still log after that).
func newTestLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.done.Store(true) }) // runs last
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	t    testing.TB
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}
