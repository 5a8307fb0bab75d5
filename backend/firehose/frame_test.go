package firehose

import (
	"bytes"
	"testing"

	lexutil "github.com/bluesky-social/indigo/lex/util"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

func TestFrameRoundTrip(t *testing.T) {
	c, err := cid.NewPrefixV1(cid.DagCBOR, multihash.SHA2_256).Sum([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	in := &Commit{Repo: "did:plc:abc", Rev: "3l2x", Seq: 42, Commit: lexutil.LexLink(c), Ops: []*RepoOp{}, Blobs: []lexutil.LexLink{}, Time: "2026-01-01T00:00:00.000Z"}
	frame, err := EncodeFrame(TypeCommit, in)
	if err != nil {
		t.Fatal(err)
	}
	h, body, err := DecodeFrame(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.Op != 1 || h.Type != TypeCommit {
		t.Fatalf("header = %+v", h)
	}
	var out Commit
	if err := out.UnmarshalCBOR(bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if out.Seq != 42 || out.Repo != "did:plc:abc" || cid.Cid(out.Commit) != c {
		t.Fatalf("body = %+v", out)
	}
}

func TestErrorFrame(t *testing.T) {
	frame, err := EncodeErrorFrame("FutureCursor", "cursor in the future")
	if err != nil {
		t.Fatal(err)
	}
	h, body, err := DecodeFrame(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.Op != -1 || h.Type != "" {
		t.Fatalf("header = %+v", h)
	}
	if !bytes.Contains(body, []byte("FutureCursor")) || !bytes.Contains(body, []byte("cursor in the future")) {
		t.Fatalf("body lacks the error: %x", body)
	}
}

func TestDecodeFrameRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, {0x01}, {0xa1, 0x61, 0x78, 0x01}} {
		if _, _, err := DecodeFrame(b); err == nil {
			t.Errorf("DecodeFrame(%x) = nil error", b)
		}
	}
}
