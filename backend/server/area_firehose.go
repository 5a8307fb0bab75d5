package server

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// firehoseArea holds the event stream (subscribeRepos) and the requestCrawl
// client.
type firehoseArea struct {
	firehose *firehose.Sequencer
	crawler  *firehose.Crawler
}

// newFirehose builds the sequencer tailing the event log and the crawler
// asking the configured relays to crawl this server, and wraps the store so
// that every append of events wakes the sequencer at once (without it,
// polling still finds them, later). It runs right after the store opens,
// before anything writes.
func (s *Server) newFirehose() {
	s.crawler = firehose.NewCrawler(firehose.CrawlerOptions{
		Relays:   s.cfg.Relays,
		Hostname: s.cfg.PublicURL.Host,
		Logger:   s.log,
	})
	s.firehose = firehose.NewSequencer(firehose.Options{
		Log:       s.store,
		Logger:    s.log,
		Retention: s.cfg.FirehoseRetention,
		OnEvents:  s.crawler.Notify,
		OnStored:  s.pluginCommits,
	})
	s.store = firehose.NotifyingStore(s.store, s.firehose)
}

// initFirehose starts the sequencer and the crawler; both stop with Close.
func (s *Server) initFirehose(ctx context.Context) error {
	if err := s.firehose.Start(ctx); err != nil {
		return err
	}
	s.closers = append(s.closers, s.firehose.Close)
	s.crawler.Start()
	s.closers = append(s.closers, s.crawler.Close)
	return nil
}

// Firehose returns the event stream's sequencer; its Notify tells it that
// events were appended (the repository engine and account service call it
// after their commits).
func (s *Server) Firehose() *firehose.Sequencer { return s.firehose }

// registerFirehose adds com.atproto.sync.subscribeRepos.
func (s *Server) registerFirehose(rt *xrpc.Router, mux *http.ServeMux) {
	rt.Register(xrpc.Method{
		NSID: "com.atproto.sync.subscribeRepos",
		Kind: xrpc.Query,
		Auth: xrpc.NoAuth,
		Raw:  s.firehose.ServeHTTP,
	})
}
