package repo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/atdata"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/repo/mst"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	car "github.com/ipld/go-car"

	"github.com/hearthpds/hearth/backend/store"
)

// imported is a verified repo read from a CAR.
type imported struct {
	did     string
	commit  indigorepo.Commit
	blocks  []store.Block // MST nodes and records, each once
	records []store.RecordChange
}

func invalidRepo(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRepo, fmt.Sprintf(format, args...))
}

// readImport reads and checks a CAR: block hashes, the commit's structure
// and DID, the MST's shape and completeness, record paths and records.
func readImport(ctx context.Context, did string, r io.Reader, limit int64) (*imported, error) {
	root, blocks, err := readCARBlocks(r, limit)
	if err != nil {
		return nil, err
	}
	imp := &imported{did: did}
	data, ok := blocks[root]
	if !ok {
		return nil, invalidRepo("the root block %s is not in the CAR", root)
	}
	if err := imp.commit.UnmarshalCBOR(bytes.NewReader(data)); err != nil {
		return nil, invalidRepo("the root is not a commit: %v", err)
	}
	if err := imp.commit.VerifyStructure(); err != nil {
		return nil, invalidRepo("commit: %v", err)
	}
	if imp.commit.DID != did {
		return nil, invalidRepo("the repo belongs to %s, not %s", imp.commit.DID, did)
	}
	if err := imp.readTree(ctx, blocks); err != nil {
		return nil, err
	}
	return imp, nil
}

// readCARBlocks reads at most limit bytes of a CARv1 with exactly one root
// and returns the root and every block, each checked against its CID.
func readCARBlocks(r io.Reader, limit int64) (cid.Cid, map[cid.Cid][]byte, error) {
	lr := &limitReader{r: r, limit: limit}
	cr, err := car.NewCarReader(lr)
	if err != nil {
		return cid.Undef, nil, carError(lr, err)
	}
	if cr.Header.Version != 1 || len(cr.Header.Roots) != 1 {
		return cid.Undef, nil, invalidRepo("expected a version 1 CAR with one root")
	}
	blocks := map[cid.Cid][]byte{}
	for {
		blk, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return cid.Undef, nil, carError(lr, err)
		}
		c := blk.Cid()
		sum, err := c.Prefix().Sum(blk.RawData())
		if err != nil || !sum.Equals(c) {
			return cid.Undef, nil, invalidRepo("block %s does not match its CID", c)
		}
		blocks[c] = blk.RawData()
	}
	return cr.Header.Roots[0], blocks, nil
}

func carError(lr *limitReader, err error) error {
	if lr.over {
		return fmt.Errorf("%w: more than %d bytes", ErrImportTooLarge, lr.limit)
	}
	return invalidRepo("malformed CAR: %v", err)
}

// limitReader reads at most limit bytes and notes an attempt to read more.
type limitReader struct {
	r     io.Reader
	limit int64
	read  int64
	over  bool
}

// Read reads from the underlying reader up to the limit.
func (l *limitReader) Read(p []byte) (int, error) {
	left := l.limit - l.read
	if left <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(l.r, one[:]); n > 0 {
			l.over = true
			return 0, ErrImportTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// readTree loads the MST under the commit, checks it is complete and well
// formed, and collects its node blocks and records.
func (imp *imported) readTree(ctx context.Context, blocks map[cid.Cid][]byte) error {
	tree, err := mst.LoadTreeFromStore(ctx, mapSource(blocks), imp.commit.Data)
	if err != nil {
		return invalidRepo("MST: %v", err)
	}
	if tree.IsPartial() {
		return invalidRepo("the MST is incomplete: some nodes are missing from the CAR")
	}
	if err := tree.Verify(); err != nil {
		return invalidRepo("MST: %v", err)
	}
	if err := imp.collectNodes(blocks); err != nil {
		return err
	}
	seen := map[cid.Cid]bool{}
	return tree.Walk(func(key []byte, val cid.Cid) error {
		return imp.addRecord(string(key), val, blocks, seen)
	})
}

// collectNodes keeps every MST node block reachable from the commit.
func (imp *imported) collectNodes(blocks map[cid.Cid][]byte) error {
	level := []cid.Cid{imp.commit.Data}
	seen := map[cid.Cid]bool{}
	for len(level) > 0 {
		var next []cid.Cid
		for _, c := range level {
			if seen[c] {
				continue
			}
			seen[c] = true
			data, ok := blocks[c]
			if !ok {
				return invalidRepo("MST node %s is missing", c)
			}
			children, _, err := nodeChildren(data)
			if err != nil {
				return invalidRepo("MST node %s: %v", c, err)
			}
			imp.blocks = append(imp.blocks, store.Block{CID: c, Data: data})
			next = append(next, children...)
		}
		level = next
	}
	return nil
}

// addRecord checks one record's path and block and adds it to the index.
func (imp *imported) addRecord(path string, c cid.Cid, blocks map[cid.Cid][]byte, seen map[cid.Cid]bool) error {
	collection, rkey, ok := strings.Cut(path, "/")
	if _, err := syntax.ParseNSID(collection); !ok || err != nil {
		return invalidRepo("record path %q: invalid collection", path)
	}
	if _, err := syntax.ParseRecordKey(rkey); err != nil {
		return invalidRepo("record path %q: invalid record key", path)
	}
	data, ok := blocks[c]
	if !ok {
		return invalidRepo("record %s (%s) is missing from the CAR", path, c)
	}
	rec, err := atdata.UnmarshalCBOR(data)
	if err != nil {
		return invalidRepo("could not parse record at %q: %v", path, err)
	}
	change := store.RecordChange{Collection: collection, RKey: rkey, CID: &c}
	for _, b := range atdata.ExtractBlobs(rec) {
		change.Blobs = append(change.Blobs, cid.Cid(b.Ref))
	}
	imp.records = append(imp.records, change)
	if !seen[c] {
		seen[c] = true
		imp.blocks = append(imp.blocks, store.Block{CID: c, Data: data})
	}
	return nil
}

// verifySignature accepts the commit if one of keys signed it.
func (imp *imported) verifySignature(keys []atcrypto.PublicKey) error {
	for _, k := range keys {
		if k != nil && imp.commit.VerifySignature(k) == nil {
			return nil
		}
	}
	return invalidRepo("the commit signature does not verify with the account's signing key or the key its DID document names")
}
