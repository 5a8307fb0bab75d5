//go:build !wasip1

package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// receiver is a fake webhook endpoint behind pds.Fake.Fetch: it answers
// with the next of statuses (200 once they run out) and keeps what it got.
type receiver struct {
	statuses []int
	got      []pds.HTTPRequest
	answered []int
}

func (r *receiver) fetch(req pds.HTTPRequest) (*pds.HTTPResponse, error) {
	r.got = append(r.got, req)
	status := 200
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.answered = append(r.answered, status)
	return &pds.HTTPResponse{Status: status}, nil
}

// delivered decodes the bodies the receiver accepted.
func (r *receiver) delivered(t *testing.T) []Commit {
	t.Helper()
	var out []Commit
	for i, req := range r.got {
		if r.answered[i] != 200 {
			continue
		}
		var c Commit
		if err := json.Unmarshal(req.Body, &c); err != nil {
			t.Fatalf("body %q: %v", req.Body, err)
		}
		out = append(out, c)
	}
	return out
}

func setup(t *testing.T, config map[string]string, r *receiver) {
	t.Helper()
	*pds.Fake = pds.FakeHost{Config: config, Fetch: r.fetch}
}

func commit(seq int64) pds.CommitEvent {
	return pds.CommitEvent{Seq: seq, Repo: "did:plc:alice", Rev: "3kabc" + string(rune('a'+seq)), Ops: []pds.CommitOp{
		{Action: "create", Path: "app.bsky.feed.post/3kx", CID: "bafyreiaaa"},
		{Action: "delete", Path: "app.bsky.feed.like/3ky"},
	}}
}

// verify checks a signature as a receiver would (see README.md).
func verify(secret string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}

func TestCommitPostedAndSigned(t *testing.T) {
	r := &receiver{}
	setup(t, map[string]string{"url": "https://hooks.example.net/in", "secret": "s3cret"}, r)
	pds.Registered().OnCommit(commit(7))
	if len(r.got) != 1 {
		t.Fatalf("got %d requests, want 1", len(r.got))
	}
	req := r.got[0]
	if req.Method != "POST" || req.URL != "https://hooks.example.net/in" || req.Headers["Content-Type"] != "application/json" ||
		req.Headers["X-Hearth-Attempt"] != "1" || req.Headers["X-Hearth-Event"] != "commit" {
		t.Fatalf("request = %s %s %v", req.Method, req.URL, req.Headers)
	}
	want := `{"seq":7,"repo":"did:plc:alice","rev":"3kabch","ops":[` +
		`{"action":"create","path":"app.bsky.feed.post/3kx","collection":"app.bsky.feed.post","rkey":"3kx","cid":"bafyreiaaa"},` +
		`{"action":"delete","path":"app.bsky.feed.like/3ky","collection":"app.bsky.feed.like","rkey":"3ky"}]}`
	if string(req.Body) != want {
		t.Fatalf("body =\n%s\nwant\n%s", req.Body, want)
	}
	if !verify("s3cret", req.Body, req.Headers["X-Hearth-Signature"]) {
		t.Fatalf("signature %q does not verify", req.Headers["X-Hearth-Signature"])
	}
	if verify("other", req.Body, req.Headers["X-Hearth-Signature"]) {
		t.Fatal("signature verifies under another secret")
	}
}

func TestUnsignedWithoutSecret(t *testing.T) {
	r := &receiver{}
	setup(t, map[string]string{"url": "https://hooks.example.net/in"}, r)
	pds.Registered().OnCommit(commit(1))
	if len(r.got) != 1 || r.got[0].Headers["X-Hearth-Signature"] != "" {
		t.Fatalf("requests = %+v", r.got)
	}
}

func TestFailedDeliveriesRetriedOnLaterCommits(t *testing.T) {
	r := &receiver{statuses: []int{500, 503}}
	setup(t, map[string]string{"url": "https://hooks.example.net/in"}, r)
	on := pds.Registered().OnCommit
	on(commit(1)) // 500: queued
	on(commit(2)) // the retry of 1 gets 503: 2 is queued untried
	if len(r.got) != 2 || len(pds.Fake.KV) != 2 {
		t.Fatalf("after two failures: %d requests, %d queued", len(r.got), len(pds.Fake.KV))
	}
	on(commit(3)) // 1 and 2 go through, then 3
	var seqs []int64
	for _, c := range r.delivered(t) {
		seqs = append(seqs, c.Seq)
	}
	if len(seqs) != 3 || seqs[0] != 1 || seqs[1] != 2 || seqs[2] != 3 {
		t.Fatalf("delivered %v, want [1 2 3]", seqs)
	}
	if len(pds.Fake.KV) != 0 {
		t.Fatalf("queue not emptied: %v", pds.Fake.KV)
	}
	if a := r.got[2].Headers["X-Hearth-Attempt"]; a != "3" {
		t.Fatalf("third try of commit 1 says attempt %q", a)
	}
}

func TestDeliveryDroppedAfterMaxAttempts(t *testing.T) {
	r := &receiver{statuses: []int{500, 500, 500, 500, 500, 500}}
	setup(t, map[string]string{"url": "https://hooks.example.net/in", "max_attempts": "2"}, r)
	on := pds.Registered().OnCommit
	on(commit(1)) // attempt 1 of 1 fails
	on(commit(2)) // attempt 2 of 1 fails: dropped; 2 queued untried
	if _, ok := pds.Fake.KV["retry/00000000000000000001"]; ok {
		t.Fatal("commit 1 still queued after max_attempts")
	}
	if !strings.Contains(strings.Join(pds.Fake.Logs, "\n"), "dropped after 2 attempts") {
		t.Fatalf("logs = %q", pds.Fake.Logs)
	}
}

func TestRefusedFetchFailsTheHook(t *testing.T) {
	*pds.Fake = pds.FakeHost{Config: map[string]string{"url": "http://127.0.0.1:9/in"},
		Fetch: func(pds.HTTPRequest) (*pds.HTTPResponse, error) {
			return nil, &pds.HostError{Status: pds.StatusDenied, Message: "fetch refused: 127.0.0.1 is a loopback address"}
		}}
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(p.(string), "refused the POST to http://127.0.0.1:9/in") {
			t.Fatalf("panic = %v", p)
		}
		if _, ok := pds.Fake.KV["retry/00000000000000000004"]; !ok {
			t.Fatal("the refused commit was not queued for later")
		}
	}()
	pds.Registered().OnCommit(commit(4))
}

func TestReposFilterAndMissingURL(t *testing.T) {
	r := &receiver{}
	setup(t, map[string]string{"url": "https://hooks.example.net/in", "repos": `["did:plc:bob"]`}, r)
	pds.Registered().OnCommit(commit(1))
	if len(r.got) != 0 {
		t.Fatalf("a commit of a repo not listed was posted: %+v", r.got)
	}
	setup(t, map[string]string{}, r)
	pds.Registered().OnCommit(commit(2))
	if len(r.got) != 0 || !strings.Contains(strings.Join(pds.Fake.Logs, "\n"), "no url configured") {
		t.Fatalf("posted %d without a url; logs %q", len(r.got), pds.Fake.Logs)
	}
}
