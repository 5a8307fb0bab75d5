package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Baseline is what the client alone achieves against a trivial loopback
// server that answers every createRecord at once with a fixed body: an
// upper bound the bench can measure, so a server figure close to it means
// the client, not the server, was the limit. The trivial server runs in the
// bench's own process and shares its CPUs, so the true client ceiling is
// somewhat higher.
type Baseline struct {
	Sequential Result `json:"sequential"` // one connection
	Concurrent Result `json:"concurrent"` // --concurrency connections
}

const baselineResponse = `{"uri":"at://did:plc:bench/app.bsky.feed.post/3lbenchbenchb","cid":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm","commit":{"cid":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm","rev":"3lbenchbenchb"},"validationStatus":"valid"}`

// RunBaseline measures the client against a trivial server on loopback
// with n operations per mode (or for d each, when d > 0).
func RunBaseline(ctx context.Context, n, concurrency int, d time.Duration, p Progress) (*Baseline, error) {
	if p == nil {
		p = nopProgress{}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("baseline: listen: %w", err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, baselineResponse)
	}), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	defer func() {
		_ = hs.Close()
		<-errc
	}()
	url := "http://" + ln.Addr().String()
	var b Baseline
	b.Sequential = baselineLoad(ctx, url, 1, n, d, p)
	b.Concurrent = baselineLoad(ctx, url, concurrency, n, d, p)
	if b.Sequential.Err != "" || b.Concurrent.Err != "" {
		return &b, errors.New("baseline: " + firstNonEmpty(b.Sequential.Err, b.Concurrent.Err))
	}
	return &b, nil
}

// baselineLoad runs the createRecord code path of the writers scenarios
// against url.
func baselineLoad(ctx context.Context, url string, workers, n int, d time.Duration, p Progress) Result {
	clients := make([]*client, workers)
	bufs := make([][]byte, workers)
	pb := newPostBody("did:plc:bench", "baseline")
	for w := range clients {
		clients[w] = newClient(url, 1)
		defer clients[w].close()
	}
	l := load{
		workers: workers, total: n, duration: d, progress: p,
		desc: fmt.Sprintf("client alone, %d connection(s)", workers),
		op: func(ctx context.Context, w, seq int) error {
			bufs[w] = pb.appendBody(bufs[w][:0], seq)
			_, err := createRecord(ctx, clients[w], "Bearer x", bufs[w])
			return err
		},
	}
	res := Result{Scenario: "baseline"}
	res.fromLoad(l.run(ctx))
	return res
}
