//go:build !wasip1

package main

import (
	"encoding/json"
	"strconv"
	"testing"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func call(t *testing.T, nsid, auth, params, body string) (int, map[string]any) {
	t.Helper()
	r := pds.Registered().XRPCHandle(pds.XRPCRequest{NSID: nsid, Method: "GET", Params: params, Auth: auth, Body: []byte(body)})
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil || r.Encoding != "application/json" {
		t.Fatalf("%s: answer %d %q (%s) is not JSON: %v", nsid, r.Status, r.Body, r.Encoding, err)
	}
	return r.Status, out
}

// The handlers run natively against the SDK's fake host: notes are kept
// per caller and paged oldest first; anonymous callers are refused.
func TestNotes(t *testing.T) {
	pds.Fake.KV, pds.Fake.Config = nil, map[string]string{"bad_output": "false"}
	const alice, bob = "did:plc:alice", "did:plc:bob"
	var keys []string
	for i := range 5 {
		status, out := call(t, nsidPut, alice, "", `{"text": "note `+strconv.Itoa(i)+`", "tags": ["t"]}`)
		key, _ := out["key"].(string)
		if status != 200 || len(key) != keyDigits || out["createdAt"] == "" {
			t.Fatalf("put %d: %d %v", i, status, out)
		}
		if len(keys) > 0 && key <= keys[len(keys)-1] {
			t.Fatalf("key %s does not sort after %s", key, keys[len(keys)-1])
		}
		keys = append(keys, key)
	}
	call(t, nsidPut, bob, "", `{"text": "bob's"}`)

	var got []string
	cursor := ""
	for page := 0; ; page++ {
		status, out := call(t, nsidList, alice, "limit=2&cursor="+cursor, "")
		if status != 200 || page > 3 {
			t.Fatalf("list page %d: %d %v", page, status, out)
		}
		for _, n := range out["notes"].([]any) {
			n := n.(map[string]any)
			if n["text"] != "note "+strconv.Itoa(len(got)) {
				t.Fatalf("note %d: %v", len(got), n)
			}
			got = append(got, n["key"].(string))
		}
		c, more := out["cursor"].(string)
		if !more {
			break
		}
		cursor = c
	}
	if len(got) != len(keys) {
		t.Fatalf("paged %v, want %v", got, keys)
	}
	if _, out := call(t, nsidList, bob, "", ""); len(out["notes"].([]any)) != 1 {
		t.Fatalf("bob sees %v", out)
	}
	if status, out := call(t, nsidList, "", "", ""); status != 401 || out["error"] != "AuthRequired" {
		t.Fatalf("anonymous list: %d %v", status, out)
	}
	pds.Fake.Config["bad_output"] = "true"
	if status, out := call(t, nsidPut, alice, "", `{"text": "x"}`); status != 200 || out["key"] != 42.0 {
		t.Fatalf("bad_output put: %d %v", status, out)
	}
}
