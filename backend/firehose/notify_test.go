package firehose_test

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// TestNotifyingStore turns polling off (an hour): events appended through
// the wrapped store still reach a live subscriber, woken by Notify.
func TestNotifyingStore(t *testing.T) { testdb.Run(t, testNotifyingStore) }

func testNotifyingStore(t *testing.T, open func(testing.TB) store.Store) {
	st := open(t)
	f := newFixture(t, st, firehose.Options{PollInterval: time.Hour})
	wrapped := firehose.NotifyingStore(st, f.seq)
	live := subscribe(t, f.url, nil)
	waitFor(t, "the subscriber to attach", func() bool { return f.seq.Subscribers() == 1 })
	for i := range 3 {
		appendEvents(t, wrapped, identityEvent("did:plc:n", time.Now(), nil))
		checkRun(t, "notified", readSeqs(t, live, int64(i+1)), int64(i+1), int64(i+1))
	}
}
