package firehose_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/atproto/atclient"
	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestFirehoseEndToEnd is acceptance 2 of the firehose issue: a subscriber
// follows a real server while several accounts make over a thousand mixed
// creates, updates and deletes. Every #commit must pass indigo's MST
// inversion against prevData and its signature check, chain onto the
// previous commit of its repo, and the seqs must run without a gap; a second
// subscriber from cursor 0 must then receive the identical stream.
func TestFirehoseEndToEnd(t *testing.T) { testdb.RunURL(t, testFirehoseEndToEnd) }

func testFirehoseEndToEnd(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	live := subscribe(t, pds.URL, nil)
	dids, ops := writeConcurrently(t, pds.URL, 4, 2, 25)
	if ops < 1000 {
		t.Fatalf("only %d operations; the test wants at least 1000", ops)
	}
	latest, err := pds.Server.Store().LatestSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	frames := readFrames(t, live, latest)
	v := newCommitVerifier(pds.PLCURL)
	for i, frame := range frames {
		v.check(t, int64(i+1), frame)
	}
	if v.ops != ops {
		t.Errorf("the stream carries %d ops, the writers made %d", v.ops, ops)
	}
	for _, did := range dids {
		if v.identities[did] != 1 || v.accounts[did] != 1 {
			t.Errorf("%s: %d #identity and %d #account events, want 1 each", did, v.identities[did], v.accounts[did])
		}
	}

	replay := readFrames(t, subscribe(t, pds.URL, ptr(0)), latest)
	if len(replay) != len(frames) {
		t.Fatalf("replay has %d frames, live had %d", len(replay), len(frames))
	}
	for i := range frames {
		if !bytes.Equal(frames[i], replay[i]) {
			t.Fatalf("frame %d differs between the live stream and the replay", i)
		}
	}
	t.Logf("%d events, %d ops, verified", len(frames), ops)
}

// writeConcurrently creates accounts and runs workers per account at once;
// it returns the DIDs and the number of operations made.
func writeConcurrently(t *testing.T, host string, accounts, workersPer, rounds int) ([]string, int) {
	clients := make([]*atclient.APIClient, accounts)
	dids := make([]string, accounts)
	for i := range clients {
		clients[i], dids[i] = createAccount(t, host, fmt.Sprintf("user%d.test", i))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ops := 0
	for a := range accounts {
		for w := range workersPer {
			wg.Go(func() {
				n := runWorker(t, clients[a], dids[a], fmt.Sprintf("w%d", w), rounds)
				mu.Lock()
				ops += n
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	return dids, ops
}

func createAccount(t *testing.T, host, handle string) (*atclient.APIClient, string) {
	t.Helper()
	ctx := context.Background()
	pw := "a long enough password"
	out, err := comatproto.ServerCreateAccount(ctx, atclient.NewAPIClient(host), &comatproto.ServerCreateAccount_Input{Handle: handle, Password: &pw})
	if err != nil {
		t.Fatalf("createAccount %s: %v", handle, err)
	}
	c, err := atclient.LoginWithPasswordHost(ctx, host, handle, pw, "", nil)
	if err != nil {
		t.Fatalf("login %s: %v", handle, err)
	}
	return c, out.Did
}

func record(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00.000Z"}
}

// runWorker makes rounds of writes on its own records: each round creates
// two records (one alone, one with an applyWrites that also updates and
// deletes), updates one and deletes one. It returns the number of ops.
func runWorker(t *testing.T, c *atclient.APIClient, did, name string, rounds int) int {
	ctx := context.Background()
	post := func(nsid syntax.NSID, body map[string]any) bool {
		if err := c.Post(ctx, nsid, body, nil); err != nil {
			t.Errorf("%s: %v", nsid, err)
			return false
		}
		return true
	}
	rkey := func(i, j int) string { return fmt.Sprintf("%s-%d-%d", name, i, j) }
	coll := "app.bsky.feed.post"
	ops := 0
	for i := range rounds {
		if post("com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": coll, "rkey": rkey(i, 0), "record": record("a")}) {
			ops++
		}
		writes := []map[string]any{{"$type": "com.atproto.repo.applyWrites#create", "collection": coll, "rkey": rkey(i, 1), "value": record("b")}}
		if i > 0 {
			writes = append(writes,
				map[string]any{"$type": "com.atproto.repo.applyWrites#update", "collection": coll, "rkey": rkey(i-1, 1), "value": record("b2")},
				map[string]any{"$type": "com.atproto.repo.applyWrites#delete", "collection": coll, "rkey": rkey(i-1, 0)})
		}
		if post("com.atproto.repo.applyWrites", map[string]any{"repo": did, "writes": writes}) {
			ops += len(writes)
		}
		if post("com.atproto.repo.putRecord", map[string]any{"repo": did, "collection": coll, "rkey": rkey(i, 1), "record": record("c")}) {
			ops++
		}
		if i%2 == 1 && post("com.atproto.repo.deleteRecord", map[string]any{"repo": did, "collection": coll, "rkey": rkey(i-1, 1)}) {
			ops++
		}
	}
	return ops
}

// readFrames reads frames until seq last and returns them as received.
func readFrames(t *testing.T, sub *firehose.Subscription, last int64) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var frames [][]byte
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("after %d frames: %v", len(frames), err)
		}
		if m.Seq == 0 {
			t.Fatalf("unexpected frame %+v (info %+v, error %+v)", m.Header, m.Info, m.Error)
		}
		frames = append(frames, m.Frame)
		if m.Seq >= last {
			return frames
		}
	}
}

// commitVerifier checks #commit messages with indigo and follows each
// repo's chain of commits; it counts the other events per DID.
type commitVerifier struct {
	dir        indigoid.Directory
	prev       map[string]*indigorepo.Commit // last commit seen per repo
	ops        int
	identities map[string]int
	accounts   map[string]int
}

// check decodes the frame that should carry seq and verifies it.
func (v *commitVerifier) check(t *testing.T, seq int64, frame []byte) {
	t.Helper()
	m, err := firehose.DecodeMessage(frame)
	if err != nil {
		t.Fatal(err)
	}
	if m.Seq != seq {
		t.Fatalf("frame has seq %d, want %d", m.Seq, seq)
	}
	switch {
	case m.Commit != nil:
		v.verify(t, m.Commit)
		v.ops += len(m.Commit.Ops)
	case m.Identity != nil:
		v.identities[m.Identity.Did]++
	case m.Account != nil:
		v.accounts[m.Account.Did]++
	}
}

func newCommitVerifier(plcURL string) *commitVerifier {
	return &commitVerifier{
		dir:        &didDirectory{base: &indigoid.BaseDirectory{PLCURL: plcURL, HTTPClient: http.Client{Timeout: 10 * time.Second}}},
		prev:       map[string]*indigorepo.Commit{},
		identities: map[string]int{},
		accounts:   map[string]int{},
	}
}

func (v *commitVerifier) verify(t *testing.T, c *firehose.Commit) {
	t.Helper()
	ctx := context.Background()
	if _, err := indigorepo.VerifyCommitMessage(ctx, c); err != nil {
		t.Fatalf("seq %d: VerifyCommitMessage: %v", c.Seq, err)
	}
	if err := indigorepo.VerifyCommitSignature(ctx, v.dir, c); err != nil {
		t.Fatalf("seq %d: VerifyCommitSignature: %v", c.Seq, err)
	}
	commit, _, err := indigorepo.LoadCommitFromCAR(ctx, bytes.NewReader(c.Blocks))
	if err != nil {
		t.Fatal(err)
	}
	if prev := v.prev[c.Repo]; prev != nil {
		if c.PrevData == nil || cid.Cid(*c.PrevData) != prev.Data {
			t.Fatalf("seq %d: prevData %v, want the previous commit's data %s", c.Seq, c.PrevData, prev.Data)
		}
		if c.Since == nil || *c.Since != prev.Rev || c.Rev <= prev.Rev {
			t.Fatalf("seq %d: since %v, rev %s after rev %s", c.Seq, c.Since, c.Rev, prev.Rev)
		}
	} else if c.PrevData != nil || c.Since != nil {
		t.Fatalf("seq %d: the repo's first commit has prevData or since", c.Seq)
	}
	for _, op := range c.Ops {
		if (op.Action == "update" || op.Action == "delete") && op.Prev == nil {
			t.Fatalf("seq %d: %s of %s without prev", c.Seq, op.Action, op.Path)
		}
	}
	v.prev[c.Repo] = commit
}

// didDirectory resolves DIDs through the PLC directory, once each, and
// does not verify handles (the test's .test handles do not resolve over
// HTTPS); the commit signature check needs only the signing key.
type didDirectory struct {
	base  *indigoid.BaseDirectory
	mu    sync.Mutex
	cache map[syntax.DID]*indigoid.Identity
}

func (d *didDirectory) LookupDID(ctx context.Context, did syntax.DID) (*indigoid.Identity, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ident, ok := d.cache[did]; ok {
		return ident, nil
	}
	doc, err := d.base.ResolveDID(ctx, did)
	if err != nil {
		return nil, err
	}
	ident := indigoid.ParseIdentity(doc)
	if d.cache == nil {
		d.cache = map[syntax.DID]*indigoid.Identity{}
	}
	d.cache[did] = &ident
	return &ident, nil
}

func (d *didDirectory) LookupHandle(context.Context, syntax.Handle) (*indigoid.Identity, error) {
	return nil, indigoid.ErrHandleNotFound
}

func (d *didDirectory) Lookup(ctx context.Context, a syntax.AtIdentifier) (*indigoid.Identity, error) {
	did, err := a.AsDID()
	if err != nil {
		return nil, indigoid.ErrHandleNotFound
	}
	return d.LookupDID(ctx, did)
}

func (d *didDirectory) Purge(context.Context, syntax.AtIdentifier) error { return nil }
