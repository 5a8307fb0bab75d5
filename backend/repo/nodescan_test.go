package repo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/bluesky-social/indigo/atproto/repo/mst"
)

// TestScanChildrenMatchesDecoder compares the scanner with the decoder on
// every node of trees of growing size.
func TestScanChildrenMatchesDecoder(t *testing.T) {
	tree := mst.NewEmptyTree()
	nodes := 0
	for i := range 3000 {
		val, err := cidBuilder.Sum([]byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tree.Insert([]byte(fmt.Sprintf("app.bsky.feed.post/3k%010d", i*7919%3001)), val); err != nil {
			t.Fatal(err)
		}
		if i%97 != 0 {
			continue
		}
		rec := &recorder{}
		if _, err := tree.WriteDiffBlocks(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		for _, b := range rec.blocks {
			want, _, err := nodeChildren(b.RawData())
			if err != nil {
				t.Fatal(err)
			}
			got, err := scanChildren(b.RawData())
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("node %s: scanned %v, decoded %v", b.Cid(), got, want)
			}
			nodes++
		}
	}
	if nodes < 100 {
		t.Fatalf("only %d nodes compared", nodes)
	}
	for name, data := range map[string][]byte{
		"empty":       {},
		"not a map":   {0x80},
		"int key":     {0xa1, 0x01, 0xf6},
		"bad link":    {0xa1, 0x61, 'l', 0xd8, 0x2a, 0x41, 0x00},
		"other tag":   {0xa1, 0x61, 'l', 0xc1, 0x00},
		"float":       {0xa1, 0x61, 'x', 0xfb, 0, 0, 0, 0, 0, 0, 0, 0},
		"trailing":    {0xa0, 0x00},
		"truncated":   {0xa1, 0x61, 'e', 0x81},
		"huge length": {0xa1, 0x61, 'e', 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		if _, err := scanChildren(data); !errors.Is(err, errNodeScan) {
			t.Errorf("%s: got %v, want errNodeScan", name, err)
		}
	}
}
