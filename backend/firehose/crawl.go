package firehose

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// CrawlerOptions configure a Crawler. Zero values take the defaults.
type CrawlerOptions struct {
	// Relays are the relays' base URLs (HEARTH_RELAYS).
	Relays []*url.URL
	// Hostname is what the relays are asked to crawl: this server's public
	// host, with its port when it is not the scheme's default.
	Hostname string
	// Client makes the requests (default: a client with a 30 s timeout).
	Client *http.Client
	// Logger receives failures (default slog.Default).
	Logger *slog.Logger
	// StartDelay is how long after Start the first request goes out, giving
	// the server time to listen before a relay connects back (default 1 s).
	StartDelay time.Duration
	// MinInterval is the least time between two requests to one relay after
	// changes (default 20 minutes, as the reference PDS).
	MinInterval time.Duration
	// RetryMin and RetryMax bound the backoff after a failed request
	// (defaults 10 s and MinInterval).
	RetryMin, RetryMax time.Duration
}

// Crawler asks relays to crawl this server (com.atproto.sync.requestCrawl):
// once at start, and again after changes, at most once per MinInterval per
// relay. A failed request is retried with backoff; a change arriving within
// MinInterval of the last request is remembered and sent when the interval
// has passed, not dropped.
type Crawler struct {
	opts   CrawlerOptions
	log    *slog.Logger
	relays []*relayState
	wake   chan struct{}
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

// relayState is the crawler's bookkeeping for one relay (owned by the
// crawler's goroutine).
type relayState struct {
	endpoint string
	pending  bool      // a request is owed
	notAfter time.Time // no request before this (interval or backoff)
	failures int
}

// NewCrawler returns a crawler; Start sends the first requests.
func NewCrawler(opts CrawlerOptions) *Crawler {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	setDefault(&opts.StartDelay, time.Second)
	setDefault(&opts.MinInterval, 20*time.Minute)
	setDefault(&opts.RetryMin, 10*time.Second)
	setDefault(&opts.RetryMax, opts.MinInterval)
	c := &Crawler{
		opts: opts,
		log:  opts.Logger.With("component", "requestCrawl"),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	for _, u := range opts.Relays {
		c.relays = append(c.relays, &relayState{
			endpoint: strings.TrimSuffix(u.String(), "/") + "/xrpc/com.atproto.sync.requestCrawl",
		})
	}
	return c
}

// Start begins the crawler's loop; the first requests go out after
// StartDelay.
func (c *Crawler) Start() {
	if len(c.relays) == 0 {
		return
	}
	first := time.Now().Add(c.opts.StartDelay)
	for _, r := range c.relays {
		r.pending, r.notAfter = true, first
	}
	c.wg.Add(1)
	go c.loop()
}

// Notify records that this server changed; the relays are asked to crawl
// again once their MinInterval allows. It never blocks.
func (c *Crawler) Notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Close stops the crawler; a request in flight is abandoned.
func (c *Crawler) Close() error {
	c.once.Do(func() { close(c.done) })
	c.wg.Wait()
	return nil
}

func (c *Crawler) loop() {
	defer c.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-c.done
		cancel()
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
			for _, r := range c.relays {
				r.pending = true
			}
		case <-timer.C:
		}
		c.sendDue(ctx)
		timer.Reset(c.nextDue())
	}
}

// sendDue sends the owed requests whose time has come.
func (c *Crawler) sendDue(ctx context.Context) {
	for _, r := range c.relays {
		if !r.pending || time.Now().Before(r.notAfter) {
			continue
		}
		err := c.request(ctx, r.endpoint)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.failures++
			backoff := min(c.opts.RetryMin<<min(r.failures-1, 16), c.opts.RetryMax)
			r.notAfter = time.Now().Add(backoff)
			c.log.Warn("requestCrawl failed", "relay", r.endpoint, "err", err, "retry_in", backoff.String())
			continue
		}
		r.pending, r.failures = false, 0
		r.notAfter = time.Now().Add(c.opts.MinInterval)
		c.log.Debug("requestCrawl sent", "relay", r.endpoint, "hostname", c.opts.Hostname)
	}
}

// nextDue returns how long until the earliest owed request (an hour when
// none is owed: a Notify wakes the loop anyway).
func (c *Crawler) nextDue() time.Duration {
	next := time.Hour
	for _, r := range c.relays {
		if r.pending {
			next = min(next, max(time.Until(r.notAfter), 0))
		}
	}
	return next
}

// request POSTs {"hostname": ...} to one relay.
func (c *Crawler) request(ctx context.Context, endpoint string) error {
	body, err := json.Marshal(map[string]string{"hostname": c.opts.Hostname})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("requestCrawl: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("requestCrawl: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("requestCrawl: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
