package firehose_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// TestReplayHandOver replays from cursors while writers append, with a
// history smaller than the database pages, so subscribers cross from the
// database to the live stream under load: each must see every event once,
// in order.
func TestReplayHandOver(t *testing.T) { testdb.Run(t, testReplayHandOver) }

func testReplayHandOver(t *testing.T, open func(testing.TB) store.Store) {
	st := open(t)
	now := time.Now()
	for i := range 30 {
		batch := make([]store.Event, 10)
		for j := range batch {
			batch[j] = identityEvent(fmt.Sprintf("did:plc:pre%d", i), now, nil)
		}
		appendEvents(t, st, batch...)
	}
	f := newFixture(t, st, firehose.Options{BufferSize: 64, PageSize: 50})
	live := subscribe(t, f.url, nil)
	fromZero := subscribe(t, f.url, ptr(0))

	const writers, perWriter = 4, 100
	const total = 300 + writers*perWriter
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				// A random delay inside the transaction: commits of
				// neighbouring seqs overlap.
				d := time.Duration(rand.IntN(500)) * time.Microsecond
				appendEvents(t, st, identityEvent(fmt.Sprintf("did:plc:w%d", w), time.Now(), func() { time.Sleep(d) }))
				if i%2 == 0 {
					f.seq.Notify()
				}
			}
		})
	}
	mid := subscribe(t, f.url, ptr(150))
	wg.Wait()
	late := subscribe(t, f.url, ptr(0))

	checkRun(t, "cursor 0", readSeqs(t, fromZero, total), 1, total)
	checkRun(t, "cursor 150", readSeqs(t, mid, total), 151, total)
	checkRun(t, "cursor 0 after the writes", readSeqs(t, late, total), 1, total)
	got := readSeqs(t, live, total)
	checkRun(t, "live", got, got[0], total)
}

// TestDelayedCommit holds the transaction of one event open (its encoding
// blocks) while a second writer appends: the second must not become visible
// with a higher seq before the first, or a subscriber tailing by seq would
// skip the first forever.
func TestDelayedCommit(t *testing.T) { testdb.Run(t, testDelayedCommit) }

func testDelayedCommit(t *testing.T, open func(testing.TB) store.Store) {
	st := open(t)
	f := newFixture(t, st, firehose.Options{})
	live := subscribe(t, f.url, nil)
	entered, release := make(chan struct{}), make(chan struct{})
	var first, second []int64
	var wg sync.WaitGroup
	wg.Go(func() {
		first = appendEvents(t, st, identityEvent("did:plc:slow", time.Now(), func() {
			close(entered)
			<-release
		}))
	})
	<-entered
	wg.Go(func() { second = appendEvents(t, st, identityEvent("did:plc:fast", time.Now(), nil)) })
	// Let the second writer run and the sequencer poll many times while
	// the first transaction is still open.
	time.Sleep(300 * time.Millisecond)
	close(release)
	wg.Wait()
	if len(first) != 1 || len(second) != 1 || second[0] != first[0]+1 {
		t.Fatalf("seqs: first %v, second %v", first, second)
	}
	checkRun(t, "live", readSeqs(t, live, second[0]), first[0], second[0])
	checkRun(t, "replay", readSeqs(t, subscribe(t, f.url, ptr(0)), second[0]), 1, second[0])
}

func TestFutureCursor(t *testing.T) { testdb.Run(t, testFutureCursor) }

func testFutureCursor(t *testing.T, open func(testing.TB) store.Store) {
	st := open(t)
	appendEvents(t, st, identityEvent("did:plc:a", time.Now(), nil), identityEvent("did:plc:b", time.Now(), nil))
	f := newFixture(t, st, firehose.Options{})
	expectError(t, subscribe(t, f.url, ptr(3)), firehose.ErrNameFutureCursor)

	atEnd := subscribe(t, f.url, ptr(2))
	appendEvents(t, st, identityEvent("did:plc:c", time.Now(), nil))
	checkRun(t, "cursor at the end", readSeqs(t, atEnd, 3), 3, 3)
}

// TestOutdatedCursor covers both outdated cases: events past retention
// still stored, and events already deleted.
func TestOutdatedCursor(t *testing.T) { testdb.Run(t, testOutdatedCursor) }

func testOutdatedCursor(t *testing.T, open func(testing.TB) store.Store) {
	st := open(t)
	f := newFixture(t, st, firehose.Options{Retention: time.Hour})
	old, now := time.Now().Add(-2*time.Hour), time.Now()
	for range 5 {
		appendEvents(t, st, identityEvent("did:plc:old", old, nil))
	}
	for range 5 {
		appendEvents(t, st, identityEvent("did:plc:new", now, nil))
	}

	expectOutdated(t, subscribe(t, f.url, ptr(0)), 6, 10)
	n, err := f.seq.Prune(context.Background())
	if err != nil || n != 5 {
		t.Fatalf("Prune = %d, %v; want 5", n, err)
	}
	expectOutdated(t, subscribe(t, f.url, ptr(2)), 6, 10)
	checkRun(t, "cursor at the oldest", readSeqs(t, subscribe(t, f.url, ptr(5)), 10), 6, 10)
}

// expectOutdated reads an #info OutdatedCursor frame, then events from..to.
func expectOutdated(t *testing.T, sub *firehose.Subscription, from, to int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Info == nil || m.Info.Name != firehose.InfoOutdatedCursor || m.Header.Type != firehose.TypeInfo {
		t.Fatalf("first frame = %+v (info %+v), want #info OutdatedCursor", m.Header, m.Info)
	}
	checkRun(t, "after OutdatedCursor", readSeqs(t, sub, to), from, to)
}

// TestSlowConsumer stops reading one subscriber while large events are
// appended: the writers and the sequencer go on, the slow subscriber is
// dropped with ConsumerTooSlow, and replay still serves everything.
func TestSlowConsumer(t *testing.T) { testdb.Run(t, testSlowConsumer) }

func testSlowConsumer(t *testing.T, open func(testing.TB) store.Store) {
	st := open(t)
	f := newFixture(t, st, firehose.Options{BufferSize: 8, WriteTimeout: time.Minute})
	slow := subscribe(t, f.url, nil)
	waitFor(t, "the subscriber to attach", func() bool { return f.seq.Subscribers() == 1 })

	// 64 KB events until the socket buffers are full and the subscriber's
	// queue overflows (about 10 MB with Linux's default buffer sizes).
	var last int64
	for i := 0; f.seq.Subscribers() > 0; i++ {
		if i == 2000 {
			t.Fatal("the subscriber that reads nothing was never dropped")
		}
		seqs := appendEvents(t, st, bigEvent(64<<10))
		if len(seqs) != 1 {
			t.FailNow()
		}
		last = seqs[0]
		f.seq.Notify()
	}
	waitFor(t, "the sequencer to reach the last event", func() bool { return f.seq.Position() == last })
	expectError(t, slow, firehose.ErrNameConsumerTooSlow)
	checkRun(t, "replay", readSeqs(t, subscribe(t, f.url, ptr(0)), last), 1, last)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCloseDisconnects checks that closing the sequencer ends live streams.
func TestCloseDisconnects(t *testing.T) { testdb.Run(t, testCloseDisconnects) }

func testCloseDisconnects(t *testing.T, open func(testing.TB) store.Store) {
	f := newFixture(t, open(t), firehose.Options{})
	sub := subscribe(t, f.url, nil)
	waitFor(t, "the subscriber to attach", func() bool { return f.seq.Subscribers() == 1 })
	if err := f.seq.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := sub.Next(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("stream still open after Close: %v", err)
	}
}
