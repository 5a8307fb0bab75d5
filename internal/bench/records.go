package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// postCollection is the collection the bench writes: a known lexicon, so
// servers validate the records as they would real posts.
const postCollection = "app.bsky.feed.post"

// postBody pre-encodes the createRecord body of a repo: only the post's
// text varies, appended between a fixed prefix and suffix, so building a
// request costs a few appends rather than a JSON encoding.
type postBody struct {
	prefix, suffix []byte
}

func newPostBody(did, tag string) postBody {
	createdAt := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	return postBody{
		prefix: []byte(`{"repo":"` + did + `","collection":"` + postCollection +
			`","record":{"$type":"` + postCollection + `","createdAt":"` + createdAt + `","text":"hearth bench ` + tag + ` `),
		suffix: []byte(`"}}`),
	}
}

// appendBody appends the body of post seq to dst.
func (p postBody) appendBody(dst []byte, seq int) []byte {
	dst = append(dst, p.prefix...)
	dst = strconv.AppendInt(dst, int64(seq), 10)
	return append(dst, p.suffix...)
}

// ack is an acknowledged write: the record the server said it committed.
type ack struct {
	RKey   string
	CID    string
	Commit string // the commit CID, when the server reported it
}

type writeOut struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Commit *struct {
		CID string `json:"cid"`
	} `json:"commit"`
}

// createRecord posts body and returns the acknowledged write.
func createRecord(ctx context.Context, c *client, auth string, body []byte) (ack, error) {
	b, err := c.call(ctx, request{method: "POST", nsid: "com.atproto.repo.createRecord", body: body, auth: auth})
	if err != nil {
		return ack{}, err
	}
	if a, ok := scanWriteOut(b); ok {
		return a, nil
	}
	var out writeOut
	if err := json.Unmarshal(b, &out); err != nil {
		return ack{}, fmt.Errorf("createRecord: decode response: %w", err)
	}
	return out.ack()
}

// scanWriteOut reads uri, cid and commit.cid from a compact createRecord
// response without a JSON decoder (a third of the client's time per write
// went to encoding/json). It reports false for anything unusual, such as
// whitespace, escapes or a missing field; the caller then decodes properly.
func scanWriteOut(b []byte) (ack, bool) {
	var commit []byte
	if i := bytes.Index(b, []byte(`"commit":{`)); i >= 0 {
		j := bytes.IndexByte(b[i:], '}')
		if j < 0 {
			return ack{}, false
		}
		commit = b[i : i+j]
		b = append(b[:i:i], b[i+j+1:]...) // the top level without the commit object
	}
	uri, ok1 := stringField(b, `"uri":"`)
	cid, ok2 := stringField(b, `"cid":"`)
	if !ok1 || !ok2 {
		return ack{}, false
	}
	a, err := writeOut{URI: uri, CID: cid}.ack()
	if err != nil {
		return ack{}, false
	}
	if commit != nil {
		if a.Commit, ok1 = stringField(commit, `"cid":"`); !ok1 {
			return ack{}, false
		}
	}
	return a, true
}

// stringField returns the value of the only `"key":"` in b, if it has no
// escapes.
func stringField(b []byte, key string) (string, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 || bytes.Index(b[i+len(key):], []byte(key)) >= 0 {
		return "", false
	}
	v := b[i+len(key):]
	j := bytes.IndexByte(v, '"')
	if j < 0 || bytes.IndexByte(v[:j], '\\') >= 0 {
		return "", false
	}
	return string(v[:j]), true
}

func (o writeOut) ack() (ack, error) {
	i := strings.LastIndexByte(o.URI, '/')
	if i < 0 || o.CID == "" {
		return ack{}, fmt.Errorf("write response has no record uri and cid (uri %q)", o.URI)
	}
	a := ack{RKey: o.URI[i+1:], CID: o.CID}
	if o.Commit != nil {
		a.Commit = o.Commit.CID
	}
	return a, nil
}

// runCreate is sequential createRecord on the main repo by one client.
func (tr *targetRun) runCreate(ctx context.Context, res *Result) {
	c := newClient(tr.t.URL, 1)
	defer c.close()
	pb := newPostBody(tr.main.DID, "seq"+strconv.Itoa(tr.run))
	var body []byte
	acks := make([]ack, 0, tr.cfg.N)
	lr := tr.load(ScenarioCreate, 1, func(ctx context.Context, _, seq int) error {
		body = pb.appendBody(body[:0], seq)
		a, err := createRecord(ctx, c, tr.main.auth, body)
		if err == nil {
			acks = append(acks, a)
		}
		return err
	}).run(ctx)
	res.fromLoad(lr)
	for _, a := range acks {
		tr.known = append(tr.known, a.RKey)
	}
}

// ensureKnown makes sure the main repo holds at least n records the bench
// knows of, writing the missing ones with applyWrites.
func (tr *targetRun) ensureKnown(ctx context.Context, n int) error {
	if missing := n - len(tr.known); missing > 0 {
		acks, err := tr.fill(ctx, tr.main, missing, 1, "seed"+strconv.Itoa(tr.run))
		if err != nil {
			return fmt.Errorf("seed records: %w", err)
		}
		for _, a := range acks {
			tr.known = append(tr.known, a.RKey)
		}
	}
	return nil
}

// runGet is sequential getRecord of the main repo's known records, in turn.
func (tr *targetRun) runGet(ctx context.Context, res *Result) {
	if err := tr.ensureKnown(ctx, min(tr.cfg.N, 1000)); err != nil {
		res.Err = err.Error()
		return
	}
	c := newClient(tr.t.URL, 1)
	defer c.close()
	queries := make([]string, len(tr.known))
	for i, rk := range tr.known {
		queries[i] = "repo=" + tr.main.DID + "&collection=" + postCollection + "&rkey=" + rk
	}
	lr := tr.load(ScenarioGet, 1, func(ctx context.Context, _, seq int) error {
		_, err := c.call(ctx, request{method: "GET", nsid: "com.atproto.repo.getRecord", query: queries[seq%len(queries)]})
		return err
	}).run(ctx)
	res.fromLoad(lr)
}

// runList pages through the main repo's posts with listRecords (limit
// 100), starting over at the end.
func (tr *targetRun) runList(ctx context.Context, res *Result) {
	if err := tr.ensureKnown(ctx, 200); err != nil {
		res.Err = err.Error()
		return
	}
	c := newClient(tr.t.URL, 1)
	defer c.close()
	base := "repo=" + tr.main.DID + "&collection=" + postCollection + "&limit=100"
	cursor := ""
	records := 0
	lr := tr.load(ScenarioList, 1, func(ctx context.Context, _, _ int) error {
		q := base
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		var out struct {
			Cursor  string            `json:"cursor"`
			Records []json.RawMessage `json:"records"`
		}
		if err := c.callJSON(ctx, request{method: "GET", nsid: "com.atproto.repo.listRecords", query: q}, &out); err != nil {
			return err
		}
		records += len(out.Records)
		cursor = out.Cursor
		if len(out.Records) == 0 {
			cursor = ""
		}
		return nil
	}).run(ctx)
	res.fromLoad(lr)
	if lr.elapsed > 0 {
		res.setMetric(MetricRecordsPerSec, float64(records)/lr.elapsed.Seconds())
	}
}
