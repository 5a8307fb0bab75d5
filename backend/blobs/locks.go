package blobs

import (
	"hash/maphash"
	"sync"

	"github.com/ipfs/go-cid"
)

// cidLocks is a striped set of mutexes, one stripe per CID hash: enough to
// order an upload's and the collector's steps on one CID without a map that
// grows with the number of blobs.
type cidLocks struct {
	once    sync.Once
	seed    maphash.Seed
	stripes [256]sync.Mutex
}

// lock locks c's stripe and returns its unlock.
func (l *cidLocks) lock(c cid.Cid) func() {
	l.once.Do(func() { l.seed = maphash.MakeSeed() })
	m := &l.stripes[maphash.Bytes(l.seed, c.Hash())%uint64(len(l.stripes))]
	m.Lock()
	return m.Unlock
}
