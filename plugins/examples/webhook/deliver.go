package main

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// Retries are bounded per hook call, so a commit never holds the firehose
// hook near its time limit (after_timeout_ms in plugin.toml): at most
// retriesPerCall queued deliveries, none started after retryBudget.
const (
	retriesPerCall = 3
	retryBudget    = 2 * time.Second
	queuePrefix    = "retry/"
)

// delivery is one hook call's deliveries.
type delivery struct {
	c       config
	start   time.Time
	refused error // the host refused a fetch (not granted, private address)
}

func newDelivery(c config) *delivery { return &delivery{c: c, start: time.Now()} }

// post sends body once; attempt is 1 for the first try.
func (d *delivery) post(body []byte, attempt int) error {
	h := map[string]string{"Content-Type": "application/json", "X-Hearth-Event": "commit",
		"X-Hearth-Attempt": strconv.Itoa(attempt)}
	if d.c.Secret != "" {
		h["X-Hearth-Signature"] = signature(d.c.Secret, body)
	}
	resp, err := pds.Fetch(pds.HTTPRequest{Method: "POST", URL: d.c.URL, Headers: h, Body: body})
	if err != nil {
		if isRefusal(err) {
			d.refused = err
		}
		return fmt.Errorf("POST %s: %w", d.c.URL, err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		return fmt.Errorf("POST %s: the receiver answered %d", d.c.URL, resp.Status)
	}
	return nil
}

// deliverNew posts a new commit's body, or queues it untried when the
// queued retries just failed (the receiver is still down).
func (d *delivery) deliverNew(body []byte, seq int64, healthy bool) {
	if !healthy || d.refused != nil {
		d.enqueue(seq, 0, body)
		return
	}
	if err := d.post(body, 1); err != nil {
		pds.Log(pds.LevelWarn, fmt.Sprintf("webhook: commit %d: %v; will retry", seq, err))
		d.enqueue(seq, 1, body)
	}
}

// retryQueued retries the oldest queued deliveries; it reports false when
// one failed again.
func (d *delivery) retryQueued() bool {
	keys, err := pds.KVList(queuePrefix, "", retriesPerCall)
	if err != nil {
		pds.Log(pds.LevelWarn, "webhook: listing queued deliveries: "+err.Error())
		return true
	}
	for _, k := range keys {
		if time.Since(d.start) > retryBudget {
			return true
		}
		if !d.retry(k) {
			return false
		}
	}
	return true
}

// retry posts one queued delivery and reports whether it went through (or
// was dropped as unreadable).
func (d *delivery) retry(key string) bool {
	raw, err := pds.KVGet(key)
	if err != nil {
		return true // deleted meanwhile
	}
	attempts, body, ok := decodeQueued(raw)
	if !ok {
		_ = pds.KVDelete(key)
		return true
	}
	if err := d.post(body, attempts+1); err != nil {
		d.requeue(key, attempts+1, body, err)
		return false
	}
	_ = pds.KVDelete(key)
	return true
}

// requeue records a failed retry, or drops the delivery after the last
// attempt.
func (d *delivery) requeue(key string, attempts int, body []byte, err error) {
	if attempts >= d.c.MaxAttempts {
		pds.Log(pds.LevelError, fmt.Sprintf("webhook: %s dropped after %d attempts: %v", key, attempts, err))
		_ = pds.KVDelete(key)
		return
	}
	pds.Log(pds.LevelWarn, fmt.Sprintf("webhook: %s attempt %d: %v", key, attempts, err))
	if err := pds.KVPut(key, encodeQueued(attempts, body)); err != nil {
		pds.Log(pds.LevelError, "webhook: keeping "+key+": "+err.Error())
	}
}

// enqueue keeps a delivery for a later retry (keys sort by seq, so the
// oldest is retried first), unless the queue is full.
func (d *delivery) enqueue(seq int64, attempts int, body []byte) {
	if keys, err := pds.KVList(queuePrefix, "", maxQueued); err == nil && len(keys) >= maxQueued {
		pds.Log(pds.LevelError, fmt.Sprintf("webhook: %d deliveries already queued; commit %d dropped", maxQueued, seq))
		return
	}
	key := fmt.Sprintf("%s%020d", queuePrefix, seq)
	if err := pds.KVPut(key, encodeQueued(attempts, body)); err != nil {
		pds.Log(pds.LevelError, fmt.Sprintf("webhook: commit %d not queued: %v", seq, err))
	}
}

// A queued delivery is its attempt count in decimal, a newline, the body.
func encodeQueued(attempts int, body []byte) []byte {
	return append(strconv.AppendInt(nil, int64(attempts), 10), append([]byte{'\n'}, body...)...)
}

func decodeQueued(raw []byte) (int, []byte, bool) {
	n, body, ok := bytes.Cut(raw, []byte{'\n'})
	if !ok {
		return 0, nil, false
	}
	attempts, err := strconv.Atoi(string(n))
	return attempts, body, err == nil
}
