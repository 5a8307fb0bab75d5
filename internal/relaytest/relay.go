package relaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/cmd/relay/relay"
	"github.com/bluesky-social/indigo/cmd/relay/stream"
	"github.com/bluesky-social/indigo/cmd/relay/stream/eventmgr"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// Options configure a test relay.
type Options struct {
	// DBURL is a PostgreSQL URL for the relay's own tables, typically a
	// fresh schema from pgtest.URL.
	DBURL string
	// PLCURL is the PLC directory the relay resolves DIDs through.
	PLCURL string
	// Trusted are hostnames ("localhost:1234") that get the relay's
	// trusted-host rate limits instead of 50 events a second.
	Trusted []string
	// Logger receives everything the relay logs (default: discarded).
	// Warnings and errors are kept as well, see Warnings.
	Logger *slog.Logger
}

// Relay is a running in-process indigo relay.
type Relay struct {
	// Relay is indigo's relay.
	Relay *relay.Relay
	// URL is the base URL of the relay's HTTP endpoint, which serves
	// com.atproto.sync.requestCrawl (so that it can be one of a PDS's
	// HEARTH_RELAYS).
	URL string

	records *recordLog
}

// Start runs a relay until the test ends. Since the relay logs through
// slog's default logger, Start replaces it for the duration of the test:
// tests using it must not run in parallel with tests that log through the
// default logger.
func Start(t testing.TB, opts Options) *Relay {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	records := &recordLog{}
	prev := slog.Default()
	slog.SetDefault(slog.New(&capture{next: opts.Logger.Handler(), log: records}))
	t.Cleanup(func() { slog.SetDefault(prev) })

	db, err := gorm.Open(postgres.Open(opts.DBURL), &gorm.Config{
		SkipDefaultTransaction: true,
		TranslateError:         true,
		Logger:                 gormlogger.Discard,
	})
	if err != nil {
		t.Fatalf("relaytest: open database: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("relaytest: database: %v", err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })

	r, err := newRelay(db, opts)
	if err != nil {
		t.Fatalf("relaytest: %v", err)
	}
	h := &Relay{Relay: r, records: records}
	srv := httptest.NewServer(http.HandlerFunc(h.serveRequestCrawl))
	h.URL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		h.Disconnect()
		if err := r.Slurper.Shutdown(); err != nil {
			t.Logf("relaytest: slurper shutdown: %v", err)
		}
	})
	return h
}

func newRelay(db *gorm.DB, opts Options) (*relay.Relay, error) {
	cfg := relay.DefaultRelayConfig()
	cfg.UserAgent = "hearth-relaytest"
	cfg.TrustedDomains = opts.Trusted
	dir := &Directory{Base: &identity.BaseDirectory{
		PLCURL:     opts.PLCURL,
		HTTPClient: http.Client{Timeout: 10 * time.Second},
	}}
	r, err := relay.NewRelay(db, eventmgr.NewEventManager(&memPersister{}), dir, cfg)
	if err != nil {
		return nil, fmt.Errorf("new relay: %w", err)
	}
	// The relay binary's client refuses loopback addresses; this one
	// reaches the test PDS.
	r.HostChecker = &relay.HostClient{
		Client:    &http.Client{Timeout: 10 * time.Second},
		UserAgent: cfg.UserAgent,
	}
	return r, nil
}

// serveRequestCrawl is the relay binary's requestCrawl handler, as an
// administrator calls it (localhost hosts are only accepted from one).
func (h *Relay) serveRequestCrawl(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/xrpc/com.atproto.sync.requestCrawl" {
		http.NotFound(w, req)
		return
	}
	var in comatproto.SyncRequestCrawl_Input
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		http.Error(w, `{"error":"BadRequest","message":"bad body"}`, http.StatusBadRequest)
		return
	}
	hostname, noSSL, err := relay.ParseHostname(in.Hostname)
	if err != nil {
		http.Error(w, `{"error":"BadRequest","message":"bad hostname"}`, http.StatusBadRequest)
		return
	}
	scheme := "https://"
	if noSSL {
		scheme = "http://"
	}
	if err := h.Relay.HostChecker.CheckHost(req.Context(), scheme+hostname); err != nil {
		http.Error(w, `{"error":"HostNotFound","message":"host unreachable"}`, http.StatusBadRequest)
		return
	}
	if err := h.Relay.SubscribeToHost(req.Context(), hostname, noSSL, true); err != nil {
		http.Error(w, `{"error":"InternalServerError","message":"subscribe failed"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

// Subscribe follows the events the relay re-broadcasts, from now on.
// Call the returned function to stop.
func (h *Relay) Subscribe(ctx context.Context) (<-chan *stream.XRPCStreamEvent, func(), error) {
	return h.Relay.Events.Subscribe(ctx, "relaytest", nil, nil)
}

// Hosts returns the hostnames the relay is subscribed to.
func (h *Relay) Hosts() []string { return h.Relay.Slurper.GetActiveSubHostnames() }

// Warnings returns the warnings and errors the relay logged so far.
func (h *Relay) Warnings() []Record { return h.records.snapshot() }

// Disconnect ends every upstream subscription (the relay does not
// reconnect). Call it before the PDS it follows stops.
func (h *Relay) Disconnect() {
	for _, host := range h.Hosts() {
		_ = h.Relay.Slurper.KillUpstreamConnection(context.Background(), host, false)
	}
}
