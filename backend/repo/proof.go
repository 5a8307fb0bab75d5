package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bluesky-social/indigo/atproto/repo/mst"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// ExportRecordProof writes a CAR rooted at the repo's commit holding the
// commit, the MST nodes on the path to collection/rkey (a proof of the
// record's presence or absence) and, when present, the record itself
// (com.atproto.sync.getRecord).
func (e *Engine) ExportRecordProof(ctx context.Context, did, collection, rkey string, w io.Writer) error {
	root, err := e.st.GetRepoRoot(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return ErrRepoNotFound
	}
	if err != nil {
		return fmt.Errorf("record proof %s: %w", did, err)
	}
	commit, err := e.st.GetBlock(ctx, did, root.Commit)
	if err != nil {
		return fmt.Errorf("record proof %s: commit: %w", did, err)
	}
	var buf bytes.Buffer
	cw, err := newCARWriter(&buf, root.Commit)
	if err != nil {
		return err
	}
	if err := cw.block(root.Commit, commit); err != nil {
		return err
	}
	if err := e.writeProofPath(ctx, did, root.Data, []byte(collection+"/"+rkey), cw); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}

// writeProofPath walks from the MST root towards key, writing each node
// visited and the record block if the key is found.
func (e *Engine) writeProofPath(ctx context.Context, did string, node cid.Cid, key []byte, cw *carWriter) error {
	for {
		data, err := e.st.GetBlock(ctx, did, node)
		if err != nil {
			return fmt.Errorf("record proof %s: MST node %s: %w", did, node, err)
		}
		if err := cw.block(node, data); err != nil {
			return err
		}
		nd, err := mst.NodeDataFromCBOR(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("record proof %s: %w", did, err)
		}
		value, next := stepToward(nd, key)
		if value != nil {
			rec, err := e.st.GetBlock(ctx, did, *value)
			if err != nil {
				return fmt.Errorf("record proof %s: record %s: %w", did, value, err)
			}
			return cw.block(*value, rec)
		}
		if next == nil {
			return nil // absent: the path so far proves it
		}
		node = *next
	}
}

// stepToward looks for key in one node: it returns the key's value if the
// node holds it, else the subtree the key would be in (nil if none).
func stepToward(nd *mst.NodeData, key []byte) (value, next *cid.Cid) {
	var prev []byte
	sub := nd.Left
	for _, e := range nd.Entries {
		k := append(append([]byte{}, prev[:e.PrefixLen]...), e.KeySuffix...)
		switch c := bytes.Compare(key, k); {
		case c == 0:
			v := e.Value
			return &v, nil
		case c < 0:
			return nil, sub
		}
		prev, sub = k, e.Right
	}
	return nil, sub
}
