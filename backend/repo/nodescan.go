package repo

import (
	"encoding/binary"
	"errors"

	"github.com/ipfs/go-cid"
)

// Each commit decoded the MST nodes it had just encoded, to learn their
// child pointers (for block garbage collection): a tenth of a commit's
// allocations. scanChildren reads the child pointers straight from the
// DAG-CBOR of a node instead, without building the node.

var errNodeScan = errors.New("not an MST node the scanner reads")

// childrenOf returns the child node CIDs of an MST node block: its left
// pointer ("l") and each entry's right pointer ("t"), in that order, as
// nodeChildren does. A block the scanner does not understand is decoded
// with nodeChildren.
func childrenOf(data []byte) ([]cid.Cid, error) {
	if children, err := scanChildren(data); err == nil {
		return children, nil
	}
	children, _, err := nodeChildren(data)
	return children, err
}

// scanChildren reads the child pointers of an MST node: a map whose "e"
// is an array of entry maps (with "t" a CID link or null) and whose "l" is
// a CID link or null.
func scanChildren(data []byte) ([]cid.Cid, error) {
	major, n, rest, err := cborItem(data)
	if err != nil || major != 5 {
		return nil, errNodeScan
	}
	var left *cid.Cid
	var rights []cid.Cid
	for range n {
		key, r, err := cborText(rest)
		if err != nil {
			return nil, err
		}
		rest = r
		switch key {
		case "l":
			if left, rest, err = cborLinkOrNull(rest); err != nil {
				return nil, err
			}
		case "e":
			if rights, rest, err = scanEntries(rest); err != nil {
				return nil, err
			}
		default:
			if rest, err = cborSkip(rest, 0); err != nil {
				return nil, err
			}
		}
	}
	if len(rest) != 0 {
		return nil, errNodeScan
	}
	children := make([]cid.Cid, 0, len(rights)+1)
	if left != nil {
		children = append(children, *left)
	}
	return append(children, rights...), nil
}

// scanEntries reads the array of entries and returns their "t" links.
func scanEntries(data []byte) ([]cid.Cid, []byte, error) {
	major, n, rest, err := cborItem(data)
	if err != nil || major != 4 {
		return nil, nil, errNodeScan
	}
	var out []cid.Cid
	for range n {
		major, m, r, err := cborItem(rest)
		if err != nil || major != 5 {
			return nil, nil, errNodeScan
		}
		rest = r
		for range m {
			key, r, err := cborText(rest)
			if err != nil {
				return nil, nil, err
			}
			rest = r
			if key != "t" {
				if rest, err = cborSkip(rest, 0); err != nil {
					return nil, nil, err
				}
				continue
			}
			var c *cid.Cid
			if c, rest, err = cborLinkOrNull(rest); err != nil {
				return nil, nil, err
			}
			if c != nil {
				out = append(out, *c)
			}
		}
	}
	return out, rest, nil
}

// cborItem reads an item head (major type and argument); indefinite
// lengths, which DAG-CBOR forbids, are refused.
func cborItem(src []byte) (major byte, arg uint64, rest []byte, err error) {
	if len(src) == 0 {
		return 0, 0, nil, errNodeScan
	}
	major, info := src[0]>>5, src[0]&0x1f
	src = src[1:]
	switch {
	case info < 24:
		return major, uint64(info), src, nil
	case info == 24 && len(src) >= 1:
		return major, uint64(src[0]), src[1:], nil
	case info == 25 && len(src) >= 2:
		return major, uint64(binary.BigEndian.Uint16(src)), src[2:], nil
	case info == 26 && len(src) >= 4:
		return major, uint64(binary.BigEndian.Uint32(src)), src[4:], nil
	case info == 27 && len(src) >= 8:
		return major, binary.BigEndian.Uint64(src), src[8:], nil
	}
	return 0, 0, nil, errNodeScan
}

// cborText reads a text string.
func cborText(src []byte) (string, []byte, error) {
	major, n, rest, err := cborItem(src)
	if err != nil || major != 3 || n > uint64(len(rest)) {
		return "", nil, errNodeScan
	}
	return string(rest[:n]), rest[n:], nil
}

// cborLinkOrNull reads a CID link (tag 42) or null.
func cborLinkOrNull(src []byte) (*cid.Cid, []byte, error) {
	if len(src) > 0 && src[0] == 0xf6 {
		return nil, src[1:], nil
	}
	major, tag, rest, err := cborItem(src)
	if err != nil || major != 6 || tag != 42 {
		return nil, nil, errNodeScan
	}
	major, n, rest, err := cborItem(rest)
	if err != nil || major != 2 || n > uint64(len(rest)) || n < 2 || rest[0] != 0 {
		return nil, nil, errNodeScan
	}
	c, err := cid.Cast(rest[1:n])
	if err != nil {
		return nil, nil, errNodeScan
	}
	return &c, rest[n:], nil
}

// cborSkip skips one item.
func cborSkip(src []byte, depth int) ([]byte, error) {
	if depth > 16 {
		return nil, errNodeScan
	}
	if len(src) > 0 && src[0]>>5 == 7 {
		switch src[0] {
		case 0xf4, 0xf5, 0xf6:
			return src[1:], nil
		}
		return nil, errNodeScan
	}
	major, n, rest, err := cborItem(src)
	if err != nil {
		return nil, err
	}
	switch major {
	case 0, 1:
		return rest, nil
	case 2, 3:
		if n > uint64(len(rest)) {
			return nil, errNodeScan
		}
		return rest[n:], nil
	case 4, 5:
		items := n
		if major == 5 {
			items *= 2
		}
		for range items {
			if rest, err = cborSkip(rest, depth+1); err != nil {
				return nil, err
			}
		}
		return rest, nil
	case 6:
		return cborSkip(rest, depth+1)
	}
	return nil, errNodeScan
}
