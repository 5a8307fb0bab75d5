package repo

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// DefaultRecordCacheBytes is the record cache's default budget: record
// blocks and keys, about 40,000 short posts.
const DefaultRecordCacheBytes = 16 << 20

// recordOverhead approximates the memory of one cache entry beyond its
// block and key strings (the entry, its map slot, the CID).
const recordOverhead = 160

// CacheRecords returns st with GetRecord (and GetAccount, see
// accountcache.go) served from memory when it can: records written through
// the returned store are cached as their commits land (before ApplyCommits
// returns, so before any write is acknowledged), records read from the
// database are cached as they are read, and the least recently used entries
// go when the cache exceeds maxBytes (0: the default).
//
// Every method of the returned store that changes records keeps the cache
// exact: ApplyCommits replaces or drops the entries of the records its
// commits change, and ImportRepo, DeleteAccount, CreateAccount and
// SetTakedown empty it. A read after an acknowledged write therefore sees
// that write, a deleted record is gone, and a removed repo is not served
// from memory. A read that raced a write does not put what it read into the
// cache (see recordCache.fill).
//
// The cache assumes that every write to the database goes through the
// returned store: use it only when this process is the database's only
// writer (SQLite; not a PostgreSQL database shared by several instances).
// Records returned by GetRecord share their Value with the cache: callers
// must not modify it.
func CacheRecords(st store.Store, maxBytes int) store.Store {
	if maxBytes <= 0 {
		maxBytes = DefaultRecordCacheBytes
	}
	return &cachingStore{Store: st, c: newRecordCache(maxBytes), accts: &accountCache{m: map[string]accountEntry{}}}
}

// TrackAccountChanges returns st with only the accounts version of
// CacheRecords (see AccountsVersioner) and no record cache: for a database
// that other processes may write too, where this process's own account
// changes are still seen at once by its account lookups.
func TrackAccountChanges(st store.Store) store.Store {
	return &cachingStore{Store: st}
}

// cachingStore is CacheRecords's store; c and accts are nil for
// TrackAccountChanges.
type cachingStore struct {
	store.Store
	c        *recordCache
	accts    *accountCache // see accountcache.go
	accounts atomic.Uint64 // see AccountsVersion
}

// GetRecord serves the record from the cache or reads it and caches it.
func (s *cachingStore) GetRecord(ctx context.Context, did, collection, rkey string) (store.Record, error) {
	if s.c == nil {
		return s.Store.GetRecord(ctx, did, collection, rkey)
	}
	k := recordKey{did: did, collection: collection, rkey: rkey}
	if rec, ok := s.c.get(k); ok {
		return rec, nil
	}
	epoch := s.c.currentEpoch()
	rec, err := s.Store.GetRecord(ctx, did, collection, rkey)
	if err != nil {
		return rec, err
	}
	s.c.fill(k, rec, epoch)
	return rec, nil
}

// ApplyCommits lands the commits, then updates the cache entries of the
// records they changed before returning.
func (s *cachingStore) ApplyCommits(ctx context.Context, commits []store.Commit) ([]store.CommitResult, error) {
	results, err := s.Store.ApplyCommits(ctx, commits)
	if s.c != nil {
		s.c.applied(commits, results, err)
	}
	return results, err
}

// AccountsVersion counts the changes to accounts' handles, statuses and
// takedowns made through the store (see AccountsVersioner).
func (s *cachingStore) AccountsVersion() uint64 { return s.accounts.Load() }

// changed empties the record cache and bumps the accounts version, after
// a change to a whole account or repo has landed (or failed).
func (s *cachingStore) changed() {
	if s.c != nil {
		s.c.reset()
	}
	s.accounts.Add(1)
}

// CreateAccount lands the account, then empties the cache and bumps the accounts version.
func (s *cachingStore) CreateAccount(ctx context.Context, a store.NewAccount) ([]int64, error) {
	defer s.changed()
	return s.Store.CreateAccount(ctx, a)
}

// DeleteAccount removes the account, then empties the cache and bumps the accounts version.
func (s *cachingStore) DeleteAccount(ctx context.Context, did string, events []store.Event) ([]int64, error) {
	defer s.changed()
	return s.Store.DeleteAccount(ctx, did, events)
}

// ImportRepo replaces the repo, then empties the cache and bumps the accounts version.
func (s *cachingStore) ImportRepo(ctx context.Context, imp store.RepoImport) (int64, error) {
	defer s.changed()
	return s.Store.ImportRepo(ctx, imp)
}

// SetTakedown applies or lifts the takedown, then empties the cache and bumps the accounts version.
func (s *cachingStore) SetTakedown(ctx context.Context, subj store.Subject, ref string, events []store.Event) ([]int64, error) {
	defer s.changed()
	return s.Store.SetTakedown(ctx, subj, ref, events)
}

// SetAccountStatus changes the status, then bumps the accounts version.
func (s *cachingStore) SetAccountStatus(ctx context.Context, did string, status store.AccountStatus, events []store.Event) ([]int64, error) {
	defer s.accounts.Add(1)
	return s.Store.SetAccountStatus(ctx, did, status, events)
}

// UpdateHandle changes the handle, then bumps the accounts version.
func (s *cachingStore) UpdateHandle(ctx context.Context, did, handle string, events []store.Event) ([]int64, error) {
	defer s.accounts.Add(1)
	return s.Store.UpdateHandle(ctx, did, handle, events)
}

// AccountsVersioner is implemented by the stores CacheRecords and
// TrackAccountChanges return: a cache of account lookups may keep what it
// read while the version it read before the lookup is still current. The
// version changes after every change to an accounts row made through the
// store has returned (creation, deletion, status, handle, takedown, email,
// password, keys, invites).
type AccountsVersioner interface {
	AccountsVersion() uint64
}

type recordKey struct {
	did, collection, rkey string
}

// cachedRecord is one entry, linked into the cache's LRU ring.
type cachedRecord struct {
	key        recordKey
	rec        store.Record
	size       int
	prev, next *cachedRecord
}

// recordCache is a byte-bounded LRU map of records. epoch counts the
// changes made by writes; a read that started before a change may not fill
// the cache with what it read.
type recordCache struct {
	mu      sync.Mutex
	entries map[recordKey]*cachedRecord
	ring    cachedRecord // sentinel: ring.next is the most recently used
	size    int
	max     int
	epoch   uint64
}

func newRecordCache(maxBytes int) *recordCache {
	c := &recordCache{entries: map[recordKey]*cachedRecord{}, max: maxBytes}
	c.ring.prev, c.ring.next = &c.ring, &c.ring
	return c
}

func (c *recordCache) get(k recordKey) (store.Record, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return store.Record{}, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.rec, true
}

func (c *recordCache) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// fill caches a record read from the database, unless a write changed the
// cache since epoch: the read may then have seen the database before that
// write landed, and caching it would serve the old record after the write
// was acknowledged.
func (c *recordCache) fill(k recordKey, rec store.Record, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	c.putLocked(k, rec)
}

// applied updates the cache after ApplyCommits: landed commits replace or
// drop their records' entries; for a failed commit (or a failed
// transaction, where nothing landed) the entries are dropped, which is
// always safe.
func (c *recordCache) applied(commits []store.Commit, results []store.CommitResult, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for i := range commits {
		cm := &commits[i]
		landed := err == nil && i < len(results) && results[i].Err == nil
		for _, rc := range cm.Records {
			k := recordKey{did: cm.DID, collection: rc.Collection, rkey: rc.RKey}
			if !landed || rc.CID == nil {
				c.deleteLocked(k)
				continue
			}
			data := blockData(cm.Blocks, *rc.CID)
			if data == nil {
				// The record's block was already stored (an identical
				// record); read it from the database next time.
				c.deleteLocked(k)
				continue
			}
			c.putLocked(k, store.Record{Collection: rc.Collection, RKey: rc.RKey, CID: *rc.CID, Rev: cm.Root.Rev, Value: data})
		}
	}
}

// blockData returns the data of the block c among blocks, or nil.
func blockData(blocks []store.Block, c cid.Cid) []byte {
	for i := len(blocks) - 1; i >= 0; i-- { // records come last in a commit
		if blocks[i].CID == c {
			return blocks[i].Data
		}
	}
	return nil
}

// reset empties the cache.
func (c *recordCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.entries)
	c.ring.prev, c.ring.next = &c.ring, &c.ring
	c.size = 0
}

func (c *recordCache) putLocked(k recordKey, rec store.Record) {
	size := len(rec.Value) + len(k.did) + len(k.collection) + len(k.rkey) + recordOverhead
	if size > c.max/64 {
		c.deleteLocked(k) // too large to be worth its room
		return
	}
	if e, ok := c.entries[k]; ok {
		c.size += size - e.size
		e.rec, e.size = rec, size
		c.unlink(e)
		c.pushFront(e)
	} else {
		e := &cachedRecord{key: k, rec: rec, size: size}
		c.entries[k] = e
		c.pushFront(e)
		c.size += size
	}
	for c.size > c.max && c.ring.prev != &c.ring {
		c.deleteLocked(c.ring.prev.key)
	}
}

func (c *recordCache) deleteLocked(k recordKey) {
	e, ok := c.entries[k]
	if !ok {
		return
	}
	c.unlink(e)
	delete(c.entries, k)
	c.size -= e.size
}

func (c *recordCache) unlink(e *cachedRecord) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *recordCache) pushFront(e *cachedRecord) {
	e.prev, e.next = &c.ring, c.ring.next
	c.ring.next.prev = e
	c.ring.next = e
}
