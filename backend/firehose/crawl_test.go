package firehose_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/firehose"
)

// standInRelay records requestCrawl calls; the first failures calls are
// answered with a 503.
type standInRelay struct {
	mu        sync.Mutex
	hostnames []string
	failures  int
	got       chan struct{}
}

func (r *standInRelay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/xrpc/com.atproto.sync.requestCrawl" ||
		req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var in struct {
		Hostname string `json:"hostname"`
	}
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures > 0 {
		r.failures--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	r.hostnames = append(r.hostnames, in.Hostname)
	r.got <- struct{}{}
}

func (r *standInRelay) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.hostnames)
}

func startRelay(t *testing.T, failures int) (*standInRelay, *url.URL) {
	t.Helper()
	r := &standInRelay{failures: failures, got: make(chan struct{}, 100)}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	return r, u
}

func waitRequest(t *testing.T, r *standInRelay) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(20 * time.Second):
		t.Fatal("no requestCrawl arrived")
	}
}

// TestCrawler checks the request at start (after a failure and a retry),
// that changes within the interval are folded into one later request, and
// that every relay is asked.
func TestCrawler(t *testing.T) {
	flaky, flakyURL := startRelay(t, 1)
	steady, steadyURL := startRelay(t, 0)
	c := firehose.NewCrawler(firehose.CrawlerOptions{
		Relays:      []*url.URL{flakyURL, steadyURL},
		Hostname:    "pds.example.com",
		StartDelay:  time.Millisecond,
		MinInterval: 300 * time.Millisecond,
		RetryMin:    time.Millisecond,
	})
	c.Start()
	t.Cleanup(func() { _ = c.Close() })
	waitRequest(t, flaky)
	waitRequest(t, steady)

	for range 20 {
		c.Notify()
	}
	waitRequest(t, flaky)
	waitRequest(t, steady)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*standInRelay{flaky, steady} {
		if n := r.count(); n != 2 {
			t.Errorf("relay got %d requests, want 2 (start, then one for the 20 changes)", n)
		}
		for _, h := range r.hostnames {
			if h != "pds.example.com" {
				t.Errorf("hostname = %q", h)
			}
		}
	}
}

// TestCrawlerNoRelays checks that a crawler without relays is inert.
func TestCrawlerNoRelays(t *testing.T) {
	c := firehose.NewCrawler(firehose.CrawlerOptions{Hostname: "pds.example.com"})
	c.Start()
	c.Notify()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
