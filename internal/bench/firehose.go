package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/hearthpds/hearth/backend/firehose"
)

const (
	subscribeRepos = "com.atproto.sync.subscribeRepos"
	// frameWait bounds the wait for frames after the last write, and for
	// the warm-up frame, so a server without a working firehose fails the
	// scenario instead of hanging it.
	frameWait = 10 * time.Second
)

// subscriber is one subscribeRepos connection recording when each commit
// of the watched repo arrived.
type subscriber struct {
	conn    *websocket.Conn
	did     string
	since   string       // commits of did with a rev at or below this are older writes, ignored
	seen    atomic.Int64 // commits of did received after since (warm-up and measured)
	after   atomic.Pointer[string]
	counted atomic.Int64         // commits of did received with a rev above *after: the measured writes
	arrived map[string]time.Time // commit CID → arrival; owned by the reader until done closes
	err     error                // why reading stopped, read after done
	done    chan struct{}
}

// dialSubscribers connects k subscribers (live, no cursor) to the target,
// watching the commits of did after rev since.
func dialSubscribers(ctx context.Context, t Target, did, since string, k int) ([]*subscriber, error) {
	hc := &http.Client{Transport: newTransport(k), Timeout: frameWait}
	subs := make([]*subscriber, 0, k)
	for i := range k {
		dctx, cancel := context.WithTimeout(ctx, frameWait)
		conn, resp, err := websocket.Dial(dctx, t.wsURL(subscribeRepos), &websocket.DialOptions{HTTPClient: hc})
		cancel()
		if err != nil {
			closeSubscribers(subs)
			if resp != nil {
				err = fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
			}
			return nil, fmt.Errorf("%s unavailable (subscriber %d of %d): %w", subscribeRepos, i+1, k, err)
		}
		conn.SetReadLimit(64 << 20)
		subs = append(subs, &subscriber{conn: conn, did: did, since: since, arrived: map[string]time.Time{}, done: make(chan struct{})})
	}
	return subs, nil
}

// read records the arrival of every #commit of s.did until the connection
// ends. The arrival time is taken before decoding.
func (s *subscriber) read(ctx context.Context) {
	defer close(s.done)
	var c firehose.Commit
	for {
		_, frame, err := s.conn.Read(ctx)
		at := time.Now()
		if err != nil {
			s.err = err
			return
		}
		h, body, err := firehose.DecodeFrame(frame)
		if err != nil {
			s.err = err
			return
		}
		if h.Op == -1 {
			s.err = fmt.Errorf("error frame: %s", bytes.ToValidUTF8(body, nil))
			return
		}
		if h.Type != firehose.TypeCommit {
			continue
		}
		c = firehose.Commit{}
		if err := c.UnmarshalCBOR(bytes.NewReader(body)); err != nil {
			s.err = fmt.Errorf("decode #commit: %w", err)
			return
		}
		if c.Repo != s.did || c.Rev <= s.since {
			continue // another repo, or a write older than the scenario still being streamed
		}
		s.arrived[c.Commit.String()] = at
		s.seen.Add(1)
		if after := s.after.Load(); after != nil && c.Rev > *after {
			s.counted.Add(1)
		}
	}
}

func closeSubscribers(subs []*subscriber) {
	for _, s := range subs {
		_ = s.conn.Close(websocket.StatusNormalClosure, "bench done")
	}
}

// waitSeen waits until every subscriber's counter (seen or counted) is at
// least n, one has stopped, or the timeout passed.
func waitSeen(ctx context.Context, subs []*subscriber, counter func(*subscriber) *atomic.Int64, n int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		lowest := int64(-1)
		for i, s := range subs {
			select {
			case <-s.done:
				return fmt.Errorf("subscriber %d stopped: %w", i+1, s.err)
			default:
			}
			if v := counter(s).Load(); lowest < 0 || v < lowest {
				lowest = v
			}
		}
		if lowest >= n {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("after %s, a subscriber had seen %d of %d commits", timeout, lowest, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// runFirehose connects K subscribers, makes sequential writes and measures,
// for every (subscriber, write), the time from sending the createRecord
// request to the arrival of the #commit frame with the commit CID the
// server returned.
func (tr *targetRun) runFirehose(ctx context.Context, res *Result) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := newClient(tr.t.URL, 1)
	defer c.close()
	since, err := latestRev(ctx, c, tr.main.DID)
	if err != nil {
		res.Err = err.Error()
		return
	}
	subs, err := dialSubscribers(ctx, tr.t, tr.main.DID, since, tr.cfg.Subscribers)
	if err != nil {
		res.Err = err.Error()
		return
	}
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Go(func() { s.read(ctx) })
	}
	defer func() {
		closeSubscribers(subs)
		cancel()
		wg.Wait()
	}()
	pb := newPostBody(tr.main.DID, "firehose"+strconv.Itoa(tr.run))
	if err := tr.warmUp(ctx, c, pb, subs); err != nil {
		res.Err = err.Error()
		return
	}
	sent, lr := tr.firehoseWrites(ctx, c, pb)
	if lr.rec.Count() == 0 {
		res.fromLoad(lr)
		res.Err = firstNonEmpty(res.Err, "no write succeeded")
		return
	}
	waitErr := waitSeen(ctx, subs, counted, int64(len(sent)), frameWait)
	closeSubscribers(subs)
	cancel()
	wg.Wait()
	tr.firehoseResult(res, subs, sent, lr, waitErr)
}

// latestRev returns the rev of did's current commit: frames of older
// commits may still be on their way when the scenario starts, and the
// subscribers ignore them.
func latestRev(ctx context.Context, c *client, did string) (string, error) {
	var out struct {
		Rev string `json:"rev"`
	}
	req := request{method: "GET", nsid: "com.atproto.sync.getLatestCommit", query: "did=" + url.QueryEscape(did)}
	if err := c.callJSON(ctx, req, &out); err != nil {
		return "", fmt.Errorf("firehose: the repo's current rev: %w", err)
	}
	return out.Rev, nil
}

// warmUp writes until every subscriber has seen a commit of the repo, so
// all are live before the measured writes, and then tells them to count
// only the commits after the repo's current rev: a subscriber that joined
// after the first warm-up write sees fewer warm-up frames than the others,
// and a late warm-up frame must not count as a measured one.
func (tr *targetRun) warmUp(ctx context.Context, c *client, pb postBody, subs []*subscriber) error {
	deadline := time.Now().Add(frameWait)
	for n := 1; ; n++ {
		if _, err := createRecord(ctx, c, tr.main.auth, pb.appendBody(nil, -n)); err != nil {
			return fmt.Errorf("firehose warm-up write: %w", err)
		}
		err := waitSeen(ctx, subs, seen, 1, 200*time.Millisecond)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("firehose warm-up: no #commit frame reached every subscriber: %w", err)
		}
	}
	rev, err := latestRev(ctx, c, tr.main.DID)
	if err != nil {
		return err
	}
	for _, s := range subs {
		s.after.Store(&rev)
	}
	return nil
}

func seen(s *subscriber) *atomic.Int64    { return &s.seen }
func counted(s *subscriber) *atomic.Int64 { return &s.counted }

// firehoseWrites makes the measured writes, returning each commit CID's
// send time.
func (tr *targetRun) firehoseWrites(ctx context.Context, c *client, pb postBody) (map[string]time.Time, loadResult) {
	sent := make(map[string]time.Time, tr.cfg.FirehoseWrites)
	var body []byte
	l := tr.load(ScenarioFirehose, 1, func(ctx context.Context, _, seq int) error {
		body = pb.appendBody(body[:0], seq)
		t0 := time.Now()
		a, err := createRecord(ctx, c, tr.main.auth, body)
		if err != nil {
			return err
		}
		if a.Commit == "" {
			return errors.New("createRecord response has no commit.cid to correlate frames with")
		}
		sent[a.Commit] = t0
		return nil
	})
	l.total, l.duration = tr.cfg.FirehoseWrites, 0
	return sent, l.run(ctx)
}

// firehoseResult turns arrivals into commit→frame latencies.
func (tr *targetRun) firehoseResult(res *Result, subs []*subscriber, sent map[string]time.Time, lr loadResult, waitErr error) {
	rec := NewRecorder(len(subs) * len(sent))
	missed := 0
	for _, s := range subs {
		for commit, t0 := range sent {
			at, ok := s.arrived[commit]
			if !ok {
				missed++
				continue
			}
			rec.Add(at.Sub(t0))
		}
	}
	res.fromLoad(lr) // writes: rate and errors
	res.Latency = rec.Summarize()
	res.setMetric(MetricSubscribers, float64(len(subs)))
	res.setMetric(MetricMissedFrames, float64(missed))
	if lr.elapsed > 0 {
		res.setMetric(MetricFrames, float64(rec.Count())/lr.elapsed.Seconds())
	}
	if waitErr != nil {
		res.Err = firstNonEmpty(res.Err, "frames missing: "+waitErr.Error())
	}
}
