package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
	"github.com/hearthpds/hearth/backend/store/storetest"
)

// benchRepo is one repository a benchmark keeps committing to.
type benchRepo struct {
	did  string
	root *store.RepoRoot
	n    int
}

// commit builds a commit-shaped change, the same as the SQLite driver's
// benchmark: five new blocks (commit, MST root, two MST nodes, one record),
// one released block, one record and one event.
func (r *benchRepo) commit() store.Commit {
	c := storetest.NewCommit(r.did, r.root)
	if len(c.Released) > 1 {
		c.Released = c.Released[:1]
	}
	c.Blocks = append(c.Blocks, storetest.RandomBlock(), storetest.RandomBlock())
	storetest.PutRecord(&c, "app.bsky.feed.post", fmt.Sprintf("r%08d", r.n), storetest.RandomBytes(200))
	r.n++
	return c
}

// BenchmarkApplyCommit lands batches of 1 and 16 commits, each commit to its
// own repo, from one goroutine (one transaction at a time) and, with
// writers=4, from four goroutines sharing the pool, as several group-commit
// writers (or Hearth instances) would.
func BenchmarkApplyCommit(b *testing.B) {
	for _, writers := range []int{1, 4} {
		for _, batch := range []int{1, 16} {
			b.Run(fmt.Sprintf("batch=%d/writers=%d", batch, writers), func(b *testing.B) {
				benchmarkApply(b, batch, writers)
			})
		}
	}
}

// Before the timer starts, each benchmark repo lands at least warmCommits
// commits, and all of them together at least warmTotal.
const (
	warmCommits = 50
	warmTotal   = 3000
)

// benchmarkApply lands b.N batches of batch commits, split across writers
// goroutines that each commit to repos of their own. The repos first get
// some history and the tables fresh statistics (see warm).
func benchmarkApply(b *testing.B, batch, writers int) {
	s := openAt(b, pgtest.URL(b))
	next := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	sets := make([][]*benchRepo, writers)
	for w := range sets {
		sets[w] = make([]*benchRepo, batch)
		for i := range sets[w] {
			sets[w][i] = &benchRepo{did: fmt.Sprintf("did:plc:bench%02d%04d", w, i)}
		}
	}
	warm(b, s, sets)
	for _, repos := range sets {
		wg.Go(func() {
			defer func() {
				for range next { // after a failure, let the loop finish
				}
			}()
			commits := make([]store.Commit, batch)
			for range next {
				for i, r := range repos {
					commits[i] = r.commit()
				}
				if err := apply(s, commits, repos); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	b.ResetTimer()
	for b.Loop() {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "commits/s")
}

// warm gives the repos some history, then has PostgreSQL analyze the
// tables. A fresh database's statistics describe empty tables, and until
// autovacuum's next ANALYZE (about a minute in production) the planner may
// pick plans that read every row of a repo, which a benchmark growing the
// tables from nothing in seconds would measure instead of the steady state.
func warm(b *testing.B, s *postgres.Store, sets [][]*benchRepo) {
	rounds := max(warmCommits, warmTotal/(len(sets)*len(sets[0])))
	for _, repos := range sets {
		commits := make([]store.Commit, len(repos))
		for range rounds {
			for i, r := range repos {
				commits[i] = r.commit()
			}
			if err := apply(s, commits, repos); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := postgres.Analyze(b.Context(), s); err != nil {
		b.Fatal(err)
	}
}

// apply lands commits and moves each repo to its new root.
func apply(s store.Store, commits []store.Commit, repos []*benchRepo) error {
	results, err := s.ApplyCommits(context.Background(), commits)
	if err != nil {
		return err
	}
	for i, res := range results {
		if res.Err != nil {
			return res.Err
		}
		repos[i].root = &commits[i].Root
	}
	return nil
}
