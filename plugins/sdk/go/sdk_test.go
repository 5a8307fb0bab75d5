package pdsplugin

import (
	"bytes"
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
	"reflect"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	rec := map[string]any{
		"$type": "app.bsky.feed.post", "text": "héllo", "n": int64(-3), "big": int64(1 << 40),
		"ok": true, "none": nil, "langs": []any{"en", "fr"}, "raw": []byte{1, 2},
		"embed": map[string]any{"uri": "at://x"}, "link": Link{0x01, 0x71, 0x12, 0x20, 0xaa},
	}
	b, err := EncodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if b.Text("text") != "héllo" || b.Type() != "app.bsky.feed.post" || b.Text("n") != "" || b.Text("missing") != "" {
		t.Fatalf("Text: %q %q", b.Text("text"), b.Type())
	}
	got, err := b.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rec) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, rec)
	}
	// DAG-CBOR key order: shorter keys first, then bytewise.
	b2, _ := EncodeRecord(map[string]any{"bb": int64(1), "a": int64(2), "ab": int64(3)})
	want := []byte{0xa3, 0x61, 'a', 0x02, 0x62, 'a', 'b', 0x03, 0x62, 'b', 'b', 0x01}
	if !bytes.Equal(b2, want) {
		t.Fatalf("encoding = %x; want %x", []byte(b2), want)
	}
}

func TestMalformedRecord(t *testing.T) {
	for _, b := range [][]byte{nil, {0xa1}, {0xa1, 0x61}, {0xa1, 0x7b, 0xff}, {0x9f}} {
		if _, err := Record(b).Decode(); err == nil {
			t.Errorf("Decode(%x) accepted", b)
		}
		_ = Record(b).Text("x") // must not panic
	}
}

func TestMessage(t *testing.T) {
	m := Message(nil).AddString(wire.TagRepo, "did:plc:a").AddUint(wire.TagSeq, 300).Add(wire.TagBody, nil).AddString(wire.TagRepo, "second")
	if m.String(wire.TagRepo) != "did:plc:a" || m.Uint(wire.TagSeq) != 300 || m.String(wire.TagCID) != "" {
		t.Fatalf("message %x", []byte(m))
	}
	if _, ok := m.Get(wire.TagBody); !ok {
		t.Fatal("empty field lost")
	}
	if _, ok := (Message{wire.TagRepo, 0x05, 'a'}).Get(wire.TagRepo); ok {
		t.Fatal("truncated field read")
	}
	d := Reject("ContentRejected", "no").encode()
	if d[0] != wire.VerdictReject || Message(d[1:]).String(wire.TagError) != "ContentRejected" {
		t.Fatalf("reject = %x", d)
	}
	if Allow().encode() != nil {
		t.Fatal("allow is not empty")
	}
}
