package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearthpds/hearth/backend/store"
)

// ApplyCommits lands commits in one transaction; see
// [store.Repos.ApplyCommits] and the package documentation ("Writing
// commits"). A commit whose Prev is stale fails alone with
// store.ErrRootMismatch; any other failure (including an event's Encode
// failing) rolls the whole transaction back and is returned as the error.
func (s *Store) ApplyCommits(ctx context.Context, commits []store.Commit) ([]store.CommitResult, error) {
	if len(commits) == 0 {
		return nil, nil
	}
	p := newCommitPlan(commits)
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		p.queueLocks(tx)
		if err := tx.flush(ctx); err != nil {
			return fmt.Errorf("lock repos: %w", err)
		}
		p.queueWrites(tx)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: apply commits: %w", err)
	}
	return p.results, nil
}

// commitPlan lands a batch of commits inside a writeTx in two steps:
// queueLocks locks (or creates) the repos rows, and queueWrites, once those
// results are in, decides which commits land and queues their statements.
type commitPlan struct {
	commits []store.Commit
	dids    []string // distinct DIDs of the batch, sorted (the lock order)
	repos   map[string]*repoState
	results []store.CommitResult
}

// repoState follows one repo through the batch.
type repoState struct {
	exists   bool            // the repos row exists and this transaction holds its lock
	genesis  bool            // the batch creates the repo: its first genesis commit's row was queued
	inserted bool            // ... and inserted (the repo did not exist)
	unknown  bool            // another transaction created the repo meanwhile: no commit of it lands
	root     cid.Cid         // the root at the current point of the batch
	final    *store.RepoRoot // the root to store at the end, once a non-genesis commit moved it
}

func newCommitPlan(commits []store.Commit) *commitPlan {
	p := &commitPlan{
		commits: commits,
		repos:   make(map[string]*repoState),
		results: make([]store.CommitResult, len(commits)),
	}
	for _, c := range commits {
		if _, ok := p.repos[c.DID]; !ok {
			p.repos[c.DID] = &repoState{}
			p.dids = append(p.dids, c.DID)
		}
	}
	slices.Sort(p.dids)
	return p
}

// queueLocks queues the lock of every existing repos row of the batch, in
// DID order, then the insertion of each repo's first genesis commit.
func (p *commitPlan) queueLocks(tx *writeTx) {
	tx.queueRows(`SELECT did, commit_cid FROM repos WHERE did = ANY($1::text[]) ORDER BY did FOR UPDATE`,
		p.scanRoots, p.dids)
	for _, did := range p.dids {
		g := p.firstGenesis(did)
		if g == nil {
			continue
		}
		st := p.repos[did]
		st.genesis = true
		tx.queueExec(`INSERT INTO repos (did, commit_cid, rev, data_cid) VALUES ($1, $2, $3, $4)
			ON CONFLICT (did) DO NOTHING`,
			func(tag pgconn.CommandTag) error {
				st.inserted = tag.RowsAffected() == 1
				return nil
			},
			did, g.Root.Commit.Bytes(), g.Root.Rev, g.Root.Data.Bytes())
	}
}

// scanRoots records the current root of each locked repo.
func (p *commitPlan) scanRoots(rows pgx.Rows) error {
	for rows.Next() {
		var (
			did string
			raw []byte
		)
		if err := rows.Scan(&did, &raw); err != nil {
			return err
		}
		root, err := parseCID(raw)
		if err != nil {
			return err
		}
		st := p.repos[did]
		st.exists, st.root = true, root
	}
	return rows.Err()
}

// firstGenesis returns the first genesis commit of did in the batch, or nil.
func (p *commitPlan) firstGenesis(did string) *store.Commit {
	for i := range p.commits {
		if p.commits[i].DID == did && p.commits[i].Prev == nil {
			return &p.commits[i]
		}
	}
	return nil
}

// queueWrites walks the batch in order, sets each commit's result and
// queues the writes of the commits that land, their events, and the final
// root of each repo a non-genesis commit moved.
func (p *commitPlan) queueWrites(tx *writeTx) {
	for _, st := range p.repos {
		// Absent when locked, yet our insertion found it: another
		// transaction created it in between, and we hold no lock on it.
		st.unknown = st.genesis && !st.exists && !st.inserted
	}
	for i := range p.commits {
		c := &p.commits[i]
		st := p.repos[c.DID]
		if !st.lands(c) {
			p.results[i].Err = mismatch(c)
			continue
		}
		st.advance(c)
		queueCommit(tx, c)
		if c.Event != nil {
			tx.addEvent(*c.Event, &p.results[i].Seq)
		}
	}
	for _, did := range p.dids {
		if r := p.repos[did].final; r != nil {
			tx.queue(`UPDATE repos SET commit_cid = $2, rev = $3, data_cid = $4 WHERE did = $1`,
				did, r.Commit.Bytes(), r.Rev, r.Data.Bytes())
		}
	}
}

// lands reports whether c applies to the repo at this point of the batch.
func (st *repoState) lands(c *store.Commit) bool {
	switch {
	case st.unknown:
		return false
	case c.Prev == nil:
		return !st.exists && st.inserted
	default:
		return st.exists && st.root.Equals(*c.Prev)
	}
}

// advance moves the repo to c's root.
func (st *repoState) advance(c *store.Commit) {
	if c.Prev != nil {
		root := c.Root
		st.final = &root
	}
	st.exists, st.root = true, c.Root.Commit
}

// mismatch is the result of a commit that does not apply.
func mismatch(c *store.Commit) error {
	if c.Prev == nil {
		return fmt.Errorf("%w: repo %s: genesis commit, but the repo exists", store.ErrRootMismatch, c.DID)
	}
	return fmt.Errorf("%w: repo %s: expected root %s", store.ErrRootMismatch, c.DID, c.Prev)
}
