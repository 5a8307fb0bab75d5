package bench

import (
	"encoding/json"
	"testing"
)

func TestScanWriteOut(t *testing.T) {
	const uri = "at://did:plc:abc/app.bsky.feed.post/3lx"
	cases := []struct {
		name string
		body string
		ok   bool
		want ack
	}{
		{"compact", `{"uri":"` + uri + `","cid":"bafyrec","commit":{"cid":"bafycom","rev":"3lx"},"validationStatus":"valid"}`,
			true, ack{RKey: "3lx", CID: "bafyrec", Commit: "bafycom"}},
		{"commit first", `{"commit":{"rev":"3lx","cid":"bafycom"},"cid":"bafyrec","uri":"` + uri + `"}`,
			true, ack{RKey: "3lx", CID: "bafyrec", Commit: "bafycom"}},
		{"no commit", `{"uri":"` + uri + `","cid":"bafyrec"}`, true, ack{RKey: "3lx", CID: "bafyrec"}},
		{"spaces", `{"uri": "` + uri + `", "cid": "bafyrec"}`, false, ack{}},
		{"escaped", `{"uri":"at:\/\/did:plc:abc\/app.bsky.feed.post\/3lx","cid":"bafyrec"}`, false, ack{}},
		{"no cid", `{"uri":"` + uri + `"}`, false, ack{}},
		{"commit without cid", `{"uri":"` + uri + `","cid":"bafyrec","commit":{"rev":"3lx"}}`, false, ack{}},
		{"unclosed commit", `{"uri":"` + uri + `","cid":"x","commit":{"cid":"y"`, false, ack{}},
	}
	for _, c := range cases {
		body := []byte(c.body)
		got, ok := scanWriteOut(body)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: got %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
		if string(body) != c.body {
			t.Errorf("%s: the buffer was modified", c.name)
		}
		if !ok {
			continue
		}
		var out writeOut // the fast path agrees with the decoder
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		if a, err := out.ack(); err != nil || a != got {
			t.Errorf("%s: decoder gives %+v, %v", c.name, a, err)
		}
	}
}

func TestPostBody(t *testing.T) {
	pb := newPostBody("did:plc:abc", "seq1")
	var v struct {
		Repo       string         `json:"repo"`
		Collection string         `json:"collection"`
		Record     map[string]any `json:"record"`
	}
	if err := json.Unmarshal(pb.appendBody(nil, 42), &v); err != nil {
		t.Fatal(err)
	}
	if v.Repo != "did:plc:abc" || v.Collection != postCollection || v.Record["text"] != "hearth bench seq1 42" || v.Record["$type"] != postCollection {
		t.Fatalf("body %+v", v)
	}
	var w struct {
		Writes []map[string]any `json:"writes"`
	}
	if err := json.Unmarshal(applyWritesBody("did:plc:abc", "big", 10, 3), &w); err != nil || len(w.Writes) != 3 {
		t.Fatalf("applyWrites body: %v, %d writes", err, len(w.Writes))
	}
}
