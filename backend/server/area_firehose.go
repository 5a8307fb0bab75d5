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

// initFirehose starts the sequencer tailing the event log and the crawler
// asking the configured relays to crawl this server; both stop with Close.
func (s *Server) initFirehose(ctx context.Context) error {
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
	})
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
