package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// batchSize is the writes per applyWrites call when building repos: the
// reference PDS's maximum.
const batchSize = 200

// applyWritesBody pre-encodes an applyWrites of count creates of posts
// numbered from first.
func applyWritesBody(did, tag string, first, count int) []byte {
	createdAt := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	b := make([]byte, 0, 64+count*160)
	b = append(b, `{"repo":"`+did+`","writes":[`...)
	for i := range count {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"$type":"com.atproto.repo.applyWrites#create","collection":"`+postCollection+
			`","value":{"$type":"`+postCollection+`","createdAt":"`+createdAt+`","text":"hearth bench `+tag+` `...)
		b = strconv.AppendInt(b, int64(first+i), 10)
		b = append(b, `"}}`...)
	}
	return append(b, "]}"...)
}

// applyWrites posts one batch and returns its acknowledged writes.
func applyWrites(ctx context.Context, c *client, auth string, body []byte) ([]ack, error) {
	var out struct {
		Commit *struct {
			CID string `json:"cid"`
		} `json:"commit"`
		Results []writeOut `json:"results"`
	}
	b, err := c.call(ctx, request{method: "POST", nsid: "com.atproto.repo.applyWrites", body: body, auth: auth})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("applyWrites: decode response: %w", err)
	}
	acks := make([]ack, len(out.Results))
	for i, r := range out.Results {
		if acks[i], err = r.ack(); err != nil {
			return nil, fmt.Errorf("applyWrites result %d: %w", i, err)
		}
		if out.Commit != nil {
			acks[i].Commit = out.Commit.CID
		}
	}
	return acks, nil
}

// fill writes n posts into acct's repo in applyWrites batches, from
// `workers` connections at once, and returns the acknowledged writes.
func (tr *targetRun) fill(ctx context.Context, acct account, n, workers int, tag string) ([]ack, error) {
	batches := (n + batchSize - 1) / batchSize
	var next, done atomic.Int64
	var mu sync.Mutex
	var acks []ack
	var firstErr error
	tk := startPhase(tr.cfg.Progress, tr.desc("build "+strconv.Itoa(n)+" records"), int64(n), &done)
	defer tk.end()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			c := newClient(tr.t.URL, 1)
			defer c.close()
			for {
				b := int(next.Add(1) - 1)
				if b >= batches || ctx.Err() != nil {
					return
				}
				count := min(batchSize, n-b*batchSize)
				got, err := applyWrites(ctx, c, acct.auth, applyWritesBody(acct.DID, tag, b*batchSize, count))
				mu.Lock()
				acks = append(acks, got...)
				if err != nil && firstErr == nil {
					firstErr = err
					next.Store(int64(batches)) // stop the others
				}
				mu.Unlock()
				done.Add(int64(count))
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return acks, firstErr
	}
	return acks, ctx.Err()
}
