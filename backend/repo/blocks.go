package repo

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/bluesky-social/indigo/atproto/repo/mst"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
	car "github.com/ipld/go-car"
	carutil "github.com/ipld/go-car/util"
)

// recorder is a write-only blockstore that keeps the blocks written to it,
// in order. tree.WriteDiffBlocks only calls Put on it.
type recorder struct {
	blocks []blocks.Block
}

func (r *recorder) Put(_ context.Context, b blocks.Block) error {
	r.blocks = append(r.blocks, b)
	return nil
}

func (r *recorder) PutMany(ctx context.Context, bs []blocks.Block) error {
	r.blocks = append(r.blocks, bs...)
	return nil
}

func (r *recorder) Get(_ context.Context, c cid.Cid) (blocks.Block, error) {
	for _, b := range r.blocks {
		if b.Cid() == c {
			return b, nil
		}
	}
	return nil, ipld.ErrNotFound{Cid: c}
}

func (r *recorder) Has(ctx context.Context, c cid.Cid) (bool, error) {
	_, err := r.Get(ctx, c)
	return err == nil, nil
}

func (r *recorder) GetSize(ctx context.Context, c cid.Cid) (int, error) {
	b, err := r.Get(ctx, c)
	if err != nil {
		return 0, err
	}
	return len(b.RawData()), nil
}

func (r *recorder) DeleteBlock(context.Context, cid.Cid) error {
	return fmt.Errorf("recorder: delete is not supported")
}

func (r *recorder) AllKeysChan(context.Context) (<-chan cid.Cid, error) {
	return nil, fmt.Errorf("recorder: listing is not supported")
}

func (r *recorder) HashOnRead(bool) {}

// mapSource serves MST blocks from a map (a repo's node blocks, fetched in
// bulk) to mst.LoadTreeFromStore.
type mapSource map[cid.Cid][]byte

func (m mapSource) Get(_ context.Context, c cid.Cid) (blocks.Block, error) {
	data, ok := m[c]
	if !ok {
		return nil, ipld.ErrNotFound{Cid: c}
	}
	return blocks.NewBlockWithCid(data, c)
}

// nodeChildren decodes an MST node block and returns the CIDs of its child
// nodes (its left pointer and each entry's right pointer) and of its values.
func nodeChildren(data []byte) (children, values []cid.Cid, err error) {
	nd, err := mst.NodeDataFromCBOR(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("decode MST node: %w", err)
	}
	if nd.Left != nil {
		children = append(children, *nd.Left)
	}
	for _, e := range nd.Entries {
		values = append(values, e.Value)
		if e.Right != nil {
			children = append(children, *e.Right)
		}
	}
	return children, values, nil
}

// carWriter writes a CARv1 stream.
type carWriter struct {
	w io.Writer
}

func newCARWriter(w io.Writer, root cid.Cid) (*carWriter, error) {
	if err := car.WriteHeader(&car.CarHeader{Roots: []cid.Cid{root}, Version: 1}, w); err != nil {
		return nil, fmt.Errorf("write CAR header: %w", err)
	}
	return &carWriter{w: w}, nil
}

func (cw *carWriter) block(c cid.Cid, data []byte) error {
	if err := carutil.LdWrite(cw.w, c.Bytes(), data); err != nil {
		return fmt.Errorf("write CAR block: %w", err)
	}
	return nil
}
