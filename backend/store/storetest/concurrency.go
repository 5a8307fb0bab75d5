package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
)

// testConcurrentSeqs runs writers of different repos and event appenders at
// once and checks that the seqs handed out are unique and contiguous, and
// that each stored body was encoded with its own seq.
func testConcurrentSeqs(t *testing.T, s store.Store) {
	const (
		committers = 8
		appenders  = 4
		rounds     = 15
	)
	var (
		mu   sync.Mutex
		seqs []int64
		wg   sync.WaitGroup
		errs = make(chan error, committers+appenders)
	)
	record := func(more ...int64) {
		mu.Lock()
		seqs = append(seqs, more...)
		mu.Unlock()
	}
	for w := range committers {
		wg.Go(func() { errs <- commitRounds(t, s, fmt.Sprintf("did:plc:writer%d", w), rounds, record) })
	}
	for a := range appenders {
		wg.Go(func() { errs <- appendRounds(t, s, fmt.Sprintf("did:plc:appender%d", a), rounds, record) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}

	total := int64((committers + appenders) * rounds)
	slices.Sort(seqs)
	equalSlice(t, "seqs handed out", seqs, seqRange(1, total))
	events, err := s.ListEvents(t.Context(), 0, int(total)+10)
	must(t, err)
	equal(t, "stored events", int64(len(events)), total)
	for i, e := range events {
		equal(t, "stored seq", e.Seq, int64(i+1))
		equalBytes(t, "body", e.Body, EventBody(e.DID, e.Type, e.Seq))
	}
}

// commitRounds lands a chain of commits to did, one batch each.
func commitRounds(t *testing.T, s store.Store, did string, rounds int, record func(...int64)) error {
	var prev *store.RepoRoot
	for i := range rounds {
		c := NewCommit(did, prev)
		PutRecord(&c, "app.bsky.feed.post", fmt.Sprint(i), RandomBytes(30))
		res, err := s.ApplyCommits(t.Context(), []store.Commit{c})
		if err != nil {
			return err
		}
		if res[0].Err != nil {
			return fmt.Errorf("%s round %d: %w", did, i, res[0].Err)
		}
		record(res[0].Seq)
		prev = &c.Root
	}
	return nil
}

// appendRounds appends one event per round.
func appendRounds(t *testing.T, s store.Store, did string, rounds int, record func(...int64)) error {
	for range rounds {
		seqs, err := s.AppendEvents(t.Context(), []store.Event{NewEvent(did, "#identity")})
		if err != nil {
			return err
		}
		record(seqs...)
	}
	return nil
}

// testConcurrentSameRepo has writers race to move one repo from the same
// root: exactly one wins, the others get ErrRootMismatch.
func testConcurrentSameRepo(t *testing.T, s store.Store) {
	g := NewCommit(alice, nil)
	Apply(t, s, g)
	const writers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		won      []store.RepoRoot
		mismatch int
		errs     []error
	)
	for range writers {
		wg.Go(func() {
			c := NewCommit(alice, &g.Root)
			res, err := s.ApplyCommits(t.Context(), []store.Commit{c})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case res[0].Err == nil:
				won = append(won, c.Root)
			case errors.Is(res[0].Err, store.ErrRootMismatch):
				mismatch++
			default:
				errs = append(errs, res[0].Err)
			}
		})
	}
	wg.Wait()
	must(t, errors.Join(errs...))
	equal(t, "winners", len(won), 1)
	equal(t, "mismatches", mismatch, writers-1)
	root, err := s.GetRepoRoot(t.Context(), alice)
	must(t, err)
	equal(t, "root", root, won[0])
	equal(t, "LatestSeq", latestSeq(t, s), 2)
}
