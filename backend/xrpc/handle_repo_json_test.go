package xrpc

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/hearthpds/hearth/backend/store"
)

// TestRecordJSONMatchesDecoder checks that the transcoder serves the same
// JSON values as decoding the record with atdata and encoding it again.
func TestRecordJSONMatchesDecoder(t *testing.T) {
	records := []string{
		`{"$type":"app.bsky.feed.post","text":"hello","createdAt":"2024-01-01T00:00:00.000Z"}`,
		`{"$type":"x.y.z","s":"quote \" backslash \\ tab \t nl \n cr \r ctl \u0001 del \u007f <>& \u2028 \u2029 é 😀","e":""}`,
		`{"$type":"x.y.z","n":0,"p":23,"q":24,"r":255,"s":256,"t":65536,"u":4294967296,"m":-1,"l":-24,"k":-25,"j":-9007199254740991,"big":9007199254740991}`,
		`{"$type":"x.y.z","t":true,"f":false,"z":null,"a":[],"o":{},"nested":[[1,[2,{"x":[3]}]],{"k":{"l":"m"}}]}`,
		`{"$type":"x.y.z","b":{"$bytes":"AAECAwQFBgcICQ"},"e":{"$bytes":""},"link":{"$link":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}}`,
		`{"$type":"x.y.z","img":{"$type":"blob","ref":{"$link":"bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},"mimeType":"image/png","size":12345},"arr":[{"$type":"blob","ref":{"$link":"bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},"mimeType":"image/jpeg","size":1}]}`,
		`{"$type":"x.y.z","legacy":{"cid":"bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy","mimeType":"image/png"}}`,
		`{"$type":"x.y.z","long":"` + string(make([]byte, 0)) + `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`,
	}
	for _, raw := range records {
		m, err := atdata.UnmarshalJSON([]byte(raw))
		if err != nil {
			t.Fatalf("parse %s: %v", raw, err)
		}
		block, err := atdata.MarshalCBOR(m)
		if err != nil {
			t.Fatalf("encode %s: %v", raw, err)
		}
		c, err := cid.NewPrefixV1(cid.DagCBOR, multihash.SHA2_256).Sum(block)
		if err != nil {
			t.Fatal(err)
		}
		rec := store.Record{Collection: "x.y.z", RKey: "3kabc", CID: c, Value: block}
		got, err := appendRecordJSON(nil, "did:plc:abc", rec)
		if errors.Is(err, errCBOR) && strings.Contains(raw, "legacy") {
			continue // indigo stores a legacy blob with size -1: the decoder serves it
		}
		if err != nil {
			t.Fatalf("transcode %s: %v", raw, err)
		}
		ro, err := toRecordOut("did:plc:abc", rec)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(ro)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("transcoded JSON is invalid: %v\n%s", err, got)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("record %s\n got %s\nwant %s", raw, got, want)
		}
	}
}

// TestRecordJSONRefuses checks that what the transcoder does not handle is
// reported (the handler then falls back to the decoder) and never panics.
func TestRecordJSONRefuses(t *testing.T) {
	for name, block := range map[string][]byte{
		"empty":            {},
		"float":            {0xa1, 0x61, 'f', 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0},
		"undefined":        {0xa1, 0x61, 'u', 0xf7},
		"indefinite map":   {0xbf, 0xff},
		"integer map key":  {0xa1, 0x01, 0x01},
		"truncated string": {0xa1, 0x61, 's', 0x65, 'a'},
		"invalid utf-8":    {0xa1, 0x61, 's', 0x61, 0xff},
		"other tag":        {0xa1, 0x61, 't', 0xc1, 0x01},
		"bad link":         {0xa1, 0x61, 'l', 0xd8, 0x2a, 0x42, 0x01, 0x02},
		"trailing bytes":   {0xa0, 0x00},
		"huge length":      {0xa1, 0x61, 's', 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"huge negative":    {0xa1, 0x61, 'n', 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		_, err := appendRecordJSON(nil, "did:plc:abc", store.Record{Collection: "x.y.z", RKey: "a", Value: block})
		if !errors.Is(err, errCBOR) {
			t.Errorf("%s: got %v, want errCBOR", name, err)
		}
	}
	deep := make([]byte, 0, 200)
	for range 100 {
		deep = append(deep, 0x81) // [[[[…
	}
	deep = append(deep, 0x00)
	if _, _, err := appendCBORJSON(nil, deep, 0); !errors.Is(err, errCBOR) {
		t.Errorf("deep nesting: got %v, want errCBOR", err)
	}
}

// TestAppendCID checks appendCID against cid.Cid.String.
func TestAppendCID(t *testing.T) {
	for _, s := range []string{
		"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
		"bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy",
		"QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n",
	} {
		c, err := cid.Decode(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendCID([]byte("x"), c)); got != "x"+c.String() {
			t.Errorf("appendCID(%s) = %s", c, got)
		}
	}
}
