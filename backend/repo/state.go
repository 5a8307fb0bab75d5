package repo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bluesky-social/indigo/atproto/repo/mst"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// fetchBatch bounds the CIDs asked for in one GetBlocks call.
const fetchBatch = 500

// repoState is the cached head of one repo: its tree and the graph of its
// MST nodes. The tree may be ahead of the database by commits still queued
// to the committer. mu serialises writers of the repo.
type repoState struct {
	mu     sync.Mutex
	did    string
	loaded bool
	gen    uint64 // bumped whenever the cached state is dropped
	root   store.RepoRoot
	tree   *mst.Tree
	// nodes maps every MST node of the current tree to its child nodes; it
	// tells which nodes a commit leaves unreachable without any I/O.
	nodes map[cid.Cid][]cid.Cid
	used  uint64 // engine tick of the last use, for eviction
}

// invalidate drops the cached tree; the next writer reloads it from the
// database. The caller holds s.mu.
func (s *repoState) invalidate() {
	s.loaded = false
	s.tree = nil
	s.nodes = nil
	s.gen++
}

// invalidateIf drops the cached tree if it is still the generation gen, i.e.
// if no writer reloaded it since the failed commit was built.
func (s *repoState) invalidateIf(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == gen {
		s.invalidate()
	}
}

// load reads the repo's root and its whole MST from the store, fetching
// node blocks level by level in batches. The caller holds s.mu.
func (s *repoState) load(ctx context.Context, st store.Repos) error {
	root, err := st.GetRepoRoot(ctx, s.did)
	if errors.Is(err, store.ErrNotFound) {
		return ErrRepoNotFound
	}
	if err != nil {
		return fmt.Errorf("load repo %s: %w", s.did, err)
	}
	nodeBlocks, graph, err := fetchTree(ctx, st, s.did, root.Data)
	if err != nil {
		return fmt.Errorf("load repo %s: %w", s.did, err)
	}
	tree, err := mst.LoadTreeFromStore(ctx, nodeBlocks, root.Data)
	if err != nil {
		return fmt.Errorf("load repo %s tree: %w", s.did, err)
	}
	s.root, s.tree, s.nodes, s.loaded = root, tree, graph, true
	return nil
}

// fetchTree fetches every MST node under data, level by level.
func fetchTree(ctx context.Context, st store.Repos, did string, data cid.Cid) (mapSource, map[cid.Cid][]cid.Cid, error) {
	nodeBlocks := mapSource{}
	graph := map[cid.Cid][]cid.Cid{}
	level := []cid.Cid{data}
	for len(level) > 0 {
		var next []cid.Cid
		for start := 0; start < len(level); start += fetchBatch {
			batch := level[start:min(start+fetchBatch, len(level))]
			found, err := st.GetBlocks(ctx, did, batch)
			if err != nil {
				return nil, nil, fmt.Errorf("fetch MST nodes: %w", err)
			}
			for _, c := range batch {
				data, ok := found[c]
				if !ok {
					return nil, nil, fmt.Errorf("MST node %s is missing", c)
				}
				children, _, err := nodeChildren(data)
				if err != nil {
					return nil, nil, fmt.Errorf("MST node %s: %w", c, err)
				}
				nodeBlocks[c], graph[c] = data, children
				next = append(next, children...)
			}
		}
		level = next
	}
	return nodeBlocks, graph, nil
}

// advanceGraph records the MST nodes a commit wrote and returns the nodes of
// the previous tree (rooted at oldData) that the new tree no longer reaches.
//
// A node of the old tree survives only if the new tree still contains it:
// either it was rewritten unchanged (it is among written) or a written node
// points at it. Any other node reached from the old root through removed
// nodes is unreachable, because its only parent was removed. So a walk from
// the old root that stops at surviving nodes finds exactly the removed ones.
func (s *repoState) advanceGraph(oldData cid.Cid, written []writtenNode) ([]cid.Cid, error) {
	kept := make(map[cid.Cid]bool, len(written)*4)
	for _, w := range written {
		kept[w.cid] = true
		for _, c := range w.children {
			kept[c] = true
		}
	}
	var removed []cid.Cid
	stack := []cid.Cid{oldData}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if kept[c] {
			continue
		}
		children, ok := s.nodes[c]
		if !ok {
			return nil, fmt.Errorf("MST node graph has no node %s", c)
		}
		removed = append(removed, c)
		delete(s.nodes, c)
		stack = append(stack, children...)
	}
	for _, w := range written {
		s.nodes[w.cid] = w.children
	}
	return removed, nil
}

// writtenNode is an MST node block a commit wrote, with its child nodes.
type writtenNode struct {
	cid      cid.Cid
	data     []byte
	children []cid.Cid
}
