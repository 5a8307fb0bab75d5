package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
	"github.com/hearthpds/hearth/backend/store/storetest"
)

// withAppName sets application_name in a connection URL or string, so a
// test can find its connections in pg_stat_activity.
func withAppName(t testing.TB, dsn, name string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " application_name=" + name
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// waitForLockWait waits until a connection of s named app waits for a
// lock.
func waitForLockWait(t *testing.T, s *postgres.Store, app string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		waiting, err := postgres.LockWaiting(t.Context(), s, app)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no connection named %s waited for a lock", app)
}

// gapChecker polls ListEvents and records any moment where the visible seqs
// are not exactly 1..n: a later seq visible before an earlier one.
type gapChecker struct {
	mu    sync.Mutex
	seen  int
	fault string
}

func (g *gapChecker) poll(ctx context.Context, s store.Store) error {
	events, err := s.ListEvents(ctx, 0, 1000)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen++
	for i, e := range events {
		if e.Seq != int64(i+1) && g.fault == "" {
			g.fault = fmt.Sprintf("visible seqs %v: seq %d before seq %d", seqsOf(events), e.Seq, i+1)
		}
	}
	return nil
}

func seqsOf(events []store.StoredEvent) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

// TestSeqOrderWithDelayedCommit has two stores (two instances sharing one
// database) write at once. The first takes seq 1 and is held inside its
// transaction (its Encode blocks); the second, which would take seq 2, must
// wait for the first to commit, so no reader ever sees seq 2 without seq 1.
func TestSeqOrderWithDelayedCommit(t *testing.T) {
	dsn := pgtest.URL(t)
	app := "hearth-seq-" + fmt.Sprint(rand.Int64())
	first, second := openAt(t, dsn), openAt(t, withAppName(t, dsn, app))
	reader := openAt(t, dsn)

	encoding, release := make(chan int64, 1), make(chan struct{})
	slow := storetest.NewCommit("did:plc:slow", nil)
	ev := *slow.Event
	ev.Encode = func(seq int64) ([]byte, error) {
		encoding <- seq
		<-release
		return storetest.EventBody(ev.DID, ev.Type, seq), nil
	}
	slow.Event = &ev
	fast := storetest.NewCommit("did:plc:fast", nil)

	type result struct {
		res []store.CommitResult
		err error
	}
	slowDone, fastDone := make(chan result, 1), make(chan result, 1)
	go func() {
		res, err := first.ApplyCommits(t.Context(), []store.Commit{slow})
		slowDone <- result{res, err}
	}()
	if seq := <-encoding; seq != 1 {
		t.Fatalf("the first writer got seq %d, want 1", seq)
	}
	go func() {
		res, err := second.ApplyCommits(t.Context(), []store.Commit{fast})
		fastDone <- result{res, err}
	}()
	waitForLockWait(t, reader, app)

	// Both transactions are open: nothing may be visible yet.
	checker := &gapChecker{}
	if err := checker.poll(t.Context(), reader); err != nil {
		t.Fatal(err)
	}
	if n, err := reader.LatestSeq(t.Context()); err != nil || n != 0 {
		t.Fatalf("LatestSeq while both writers are open = %d, %v; want 0", n, err)
	}

	stop := make(chan struct{})
	polled := make(chan error, 1)
	go func() { polled <- pollUntil(t.Context(), stop, reader, checker) }()
	close(release)
	s, f := <-slowDone, <-fastDone
	close(stop)
	if err := <-polled; err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]result{"first": s, "second": f} {
		if r.err != nil || r.res[0].Err != nil {
			t.Fatalf("%s writer: %v, %v", name, r.err, r.res)
		}
	}
	if s.res[0].Seq != 1 || f.res[0].Seq != 2 {
		t.Fatalf("seqs: first %d, second %d; want 1, 2", s.res[0].Seq, f.res[0].Seq)
	}
	if checker.fault != "" {
		t.Fatal(checker.fault)
	}
	t.Logf("%d reads, none saw a gap", checker.seen)
}

// pollUntil polls checker until stop is closed.
func pollUntil(ctx context.Context, stop chan struct{}, s store.Store, checker *gapChecker) error {
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		if err := checker.poll(ctx, s); err != nil {
			return err
		}
	}
}

// TestTailerNeverSkips runs writers on three stores sharing one database,
// with Encode delays that widen the window between taking a seq and
// committing, while a tailer follows the log the way a firehose subscriber
// does (seq > last seen). It must see every seq, in order, exactly once.
func TestTailerNeverSkips(t *testing.T) {
	dsn := pgtest.URL(t)
	stores := []store.Store{openAt(t, dsn), openAt(t, dsn), openAt(t, dsn)}
	const (
		writers = 6
		rounds  = 20
	)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() { errs <- writeRounds(t.Context(), stores[w%len(stores)], w, rounds) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	last, err := tail(t.Context(), stores[0], done)
	if err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want, err := stores[1].LatestSeq(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if last != want || want == 0 {
		t.Fatalf("the tailer reached seq %d, the log ends at %d", last, want)
	}
}

// writeRounds lands rounds batches of one to three commits (each of its own
// repo) or event appends, with an Encode that sleeps up to 2 ms.
func writeRounds(ctx context.Context, s store.Store, w, rounds int) error {
	roots := map[string]*store.RepoRoot{}
	for i := range rounds {
		if i%4 == 3 {
			if _, err := s.AppendEvents(ctx, []store.Event{slowEvent(fmt.Sprintf("did:plc:w%d", w))}); err != nil {
				return err
			}
			continue
		}
		var batch []store.Commit
		for j := range 1 + i%3 {
			did := fmt.Sprintf("did:plc:w%dr%d", w, j)
			c := storetest.NewCommit(did, roots[did])
			ev := slowEvent(did)
			c.Event = &ev
			batch = append(batch, c)
		}
		res, err := s.ApplyCommits(ctx, batch)
		if err != nil {
			return err
		}
		for k, r := range res {
			if r.Err != nil {
				return r.Err
			}
			roots[batch[k].DID] = &batch[k].Root
		}
	}
	return nil
}

func slowEvent(did string) store.Event {
	ev := storetest.NewEvent(did, "#commit")
	enc := ev.Encode
	ev.Encode = func(seq int64) ([]byte, error) {
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		return enc(seq)
	}
	return ev
}

// tail follows the log from seq 0 until done is closed and the log is
// drained, checking that each event it reads is the one after the last.
func tail(ctx context.Context, s store.Store, done chan struct{}) (int64, error) {
	var last int64
	for {
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		events, err := s.ListEvents(ctx, last, 100)
		if err != nil {
			return last, err
		}
		for _, e := range events {
			if e.Seq != last+1 {
				return last, fmt.Errorf("the tailer read seq %d right after %d", e.Seq, last)
			}
			last = e.Seq
		}
		if finished && len(events) == 0 {
			return last, nil
		}
	}
}

// TestInviteRace signs up accounts with a one-use invite code from two
// stores at once: exactly one sign-up may use it.
func TestInviteRace(t *testing.T) {
	dsn := pgtest.URL(t)
	stores := []store.Store{openAt(t, dsn), openAt(t, dsn)}
	err := stores[0].CreateInviteCodes(t.Context(), []store.InviteCode{
		{Code: "one", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 1, CreatedAt: time.Now()},
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			a := storetest.NewAccount(fmt.Sprintf("did:plc:signup%d", i), fmt.Sprintf("user%d.test", i))
			a.InviteCode = "one"
			_, err := stores[i%2].CreateAccount(t.Context(), a)
			errs <- err
		}()
	}
	won := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrInviteUnavailable):
			t.Fatalf("sign-up: %v", err)
		}
	}
	code, err := stores[0].GetInviteCode(t.Context(), "one")
	if err != nil {
		t.Fatal(err)
	}
	if won != 1 || len(code.Uses) != 1 {
		t.Fatalf("%d sign-ups succeeded, %d uses recorded; want 1 and 1", won, len(code.Uses))
	}
}

// TestGenesisRace creates one repo from two stores at once: one genesis
// commit lands, the others get ErrRootMismatch (never a conflict or a
// deadlock error), and exactly one event is written.
func TestGenesisRace(t *testing.T) {
	dsn := pgtest.URL(t)
	stores := []store.Store{openAt(t, dsn), openAt(t, dsn)}
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			other := storetest.NewCommit(fmt.Sprintf("did:plc:other%d", i), nil)
			res, err := stores[i%2].ApplyCommits(t.Context(), []store.Commit{
				storetest.NewCommit("did:plc:contested", nil), other,
			})
			if err == nil && res[1].Err != nil {
				err = fmt.Errorf("the uncontested commit failed: %w", res[1].Err)
			}
			if err == nil {
				err = res[0].Err
			}
			errs <- err
		}()
	}
	won := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrRootMismatch):
			t.Fatalf("genesis: %v", err)
		}
	}
	seq, err := stores[0].LatestSeq(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if won != 1 || seq != n+1 {
		t.Fatalf("%d genesis commits landed, latest seq %d; want 1 and %d", won, seq, n+1)
	}
}

// TestDeleteBlobWaitsForReference starts a commit whose record references
// an uploaded blob and holds it open (its Encode blocks); DeleteBlob for
// that blob must wait for the commit and then keep the blob.
func TestDeleteBlobWaitsForReference(t *testing.T) {
	dsn := pgtest.URL(t)
	app := "hearth-blob-" + fmt.Sprint(rand.Int64())
	writer, gc := openAt(t, dsn), openAt(t, withAppName(t, dsn, app))
	ctx := t.Context()
	const did = "did:plc:blobrace"
	blob := storetest.RandomCID()
	if err := writer.PutBlob(ctx, store.Blob{DID: did, CID: blob, MimeType: "image/png", Size: 1, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c := storetest.NewCommit(did, nil)
	storetest.PutRecord(&c, "app.bsky.feed.post", "1", []byte("post"), blob)
	encoding, release := make(chan struct{}), make(chan struct{})
	ev := *c.Event
	ev.Encode = func(seq int64) ([]byte, error) {
		close(encoding)
		<-release
		return []byte("x"), nil
	}
	c.Event = &ev
	committed := make(chan error, 1)
	go func() {
		_, err := writer.ApplyCommits(ctx, []store.Commit{c})
		committed <- err
	}()
	<-encoding
	deleted := make(chan error, 1)
	var gone bool
	go func() {
		var err error
		gone, err = gc.DeleteBlob(ctx, did, blob)
		deleted <- err
	}()
	waitForLockWait(t, gc, app)
	close(release)
	if err := <-committed; err != nil {
		t.Fatal(err)
	}
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
	if gone {
		t.Fatal("DeleteBlob deleted a blob that a commit referenced")
	}
	if _, err := gc.GetBlob(ctx, did, blob); err != nil {
		t.Fatal(err)
	}
}
