package firehose_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/internal/testdb"
)

// countingLog counts the reads of the event log.
type countingLog struct {
	store.Store
	reads atomic.Int64
}

func (c *countingLog) ListEvents(ctx context.Context, after int64, limit int) ([]store.StoredEvent, error) {
	c.reads.Add(1)
	return c.Store.ListEvents(ctx, after, limit)
}

// TestCommitsDeliveredWithoutReadBack: the events of commits landed through
// NotifyingStore reach subscribers without a read of the log, frames as
// stored; after an event appended behind the sequencer's back (a gap), the
// log is read and nothing is skipped or repeated.
func TestCommitsDeliveredWithoutReadBack(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		log := &countingLog{Store: open(t)}
		seq := firehose.NewSequencer(firehose.Options{Log: log, PollInterval: time.Hour})
		if err := seq.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(seq)
		t.Cleanup(func() { _ = seq.Close(); srv.Close() })
		st := firehose.NotifyingStore(log.Store, seq)
		sub := subscribe(t, srv.URL, nil)
		waitFor(t, "the subscriber", func() bool { return seq.Subscribers() == 1 })

		roots := map[string]*store.RepoRoot{}
		commit := func(did string) store.Commit {
			c := storetest.NewCommit(did, roots[did])
			ev := identityEvent(did, time.Now(), nil)
			c.Event = &ev
			return c
		}
		land := func(commits ...store.Commit) {
			t.Helper()
			results, err := st.ApplyCommits(context.Background(), commits)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range results {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				roots[commits[i].DID] = &commits[i].Root
			}
		}
		reads := log.reads.Load()
		land(commit("did:plc:a"), commit("did:plc:b"), commit("did:plc:c"))
		land(commit("did:plc:a"))
		checkRun(t, "delivered", readSeqs(t, sub, 4), 1, 4)
		if n := log.reads.Load() - reads; n != 0 {
			t.Errorf("the log was read %d times for events the store handed over", n)
		}
		stored, err := log.Store.ListEvents(context.Background(), 0, 10)
		if err != nil || len(stored) != 4 {
			t.Fatalf("stored events: %v %v", len(stored), err)
		}

		// A refused commit (stale root) hands over nothing; the others do.
		stale := storetest.NewCommit("did:plc:b", nil)
		staleEv := identityEvent("did:plc:b", time.Now(), nil)
		stale.Event = &staleEv
		results, err := st.ApplyCommits(context.Background(), []store.Commit{stale, commit("did:plc:c")})
		if err != nil || results[0].Err == nil || results[1].Err != nil {
			t.Fatalf("results %v, %v", results, err)
		}
		checkRun(t, "after a refused commit", readSeqs(t, sub, 5), 5, 5)

		// An event behind the sequencer's back leaves a gap: the next
		// commit's event is not broadcast ahead of it.
		appendEvents(t, log.Store, identityEvent("did:plc:x", time.Now(), nil))
		land(commit("did:plc:d"))
		checkRun(t, "after a gap", readSeqs(t, sub, 7), 6, 7)
		if log.reads.Load() == reads {
			t.Error("the gap was not filled from the log")
		}
	})
}
