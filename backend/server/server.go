package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// Options are what the desktop app sets beyond the configuration.
type Options struct {
	// MasterKey is the 32-byte master key (the desktop keeps it in the OS
	// keychain or a passphrase-wrapped file); when nil, the configuration's
	// master key file is loaded or created.
	MasterKey []byte
	// LocalFirst keeps new accounts' did:plc genesis operations unsubmitted
	// until the user goes public (account.Config.LocalFirst).
	LocalFirst bool
	// SignupClosed refuses sign-ups over the network; the owner's account is
	// created in-process (account.Config.SignupClosed).
	SignupClosed bool
}

// Server is a running PDS.
type Server struct {
	opts     Options
	cfg      *config.Config
	log      *slog.Logger
	store    store.Store
	engine   *repo.Engine
	accounts *account.Service
	tokens   *auth.Tokens
	dir      indigoid.Directory
	handler  http.Handler
	router   *xrpc.Router
	didDocs  *didDocs
	closers  []func() error
	sealer   *keys.Sealer
	hc       *http.Client // for outbound calls (PLC, DID documents, proxying)
	plc      *identity.PLCClient

	// One part per area; each lives in its own area_*.go file.
	syncArea
	blobsArea
	firehoseArea
	mailArea
	lifecycleArea
	proxyArea
	adminArea
	importArea
	delegationArea
	oauthArea
	privacyArea
	pluginArea
}

// New builds a Server from cfg. Close releases what it opened.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Server, error) {
	return Open(ctx, cfg, log, Options{})
}

// Open builds a Server from cfg and opts. Close releases what it opened.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (s *Server, err error) {
	s = &Server{cfg: cfg, log: log, opts: opts}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	}
	master := opts.MasterKey
	if master == nil {
		if master, err = keys.LoadOrCreateMasterKeyFile(cfg.MasterKeyFile); err != nil {
			return nil, err
		}
	}
	sealer, err := keys.NewSealer(master)
	if err != nil {
		return nil, err
	}
	if s.store, err = openStore(ctx, cfg.DB, log); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.store.Close)
	s.newFirehose()
	plcURL, err := s.plcURL()
	if err != nil {
		return nil, err
	}
	s.sealer = sealer
	if err := s.buildServices(sealer, plcURL); err != nil {
		return nil, err
	}
	if err := s.initAreas(ctx); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// plcURL returns the PLC directory to use: in dev mode a local stand-in
// started in-process, persisted under the data directory.
func (s *Server) plcURL() (string, error) {
	if !s.cfg.Dev {
		return s.cfg.PLCURL.String(), nil
	}
	url, stop, err := startDevPLC(s.cfg.DataDir, s.log)
	if err != nil {
		return "", err
	}
	s.closers = append(s.closers, stop)
	s.log.Info("dev mode: local PLC directory", "url", url)
	return url, nil
}

func (s *Server) buildServices(sealer *keys.Sealer, plcURL string) error {
	hc := &http.Client{Timeout: 15 * time.Second}
	s.hc = hc
	s.plc = identity.NewPLCClient(plcURL, hc)
	var err error
	s.tokens, err = auth.NewTokens(auth.TokenConfig{
		ServiceDID: s.cfg.ServiceDID.String(),
		Secret:     keys.NewSecret(sealer.DeriveKey(keys.PurposeJWTSecret, 32)),
		Sessions:   s.store,
	})
	if err != nil {
		return err
	}
	s.dir = identity.NewDirectory(identity.DirectoryConfig{PLCURL: plcURL, HTTPClient: hc})
	s.didDocs = newDIDDocs(&indigoid.BaseDirectory{PLCURL: plcURL, HTTPClient: *hc})
	s.didDocs.local = s.localDIDDoc
	s.accounts = account.New(account.Config{
		Store: s.store, Sealer: sealer, PLC: s.plc, Tokens: s.tokens,
		HandleDomains: s.cfg.HandleDomains, PublicURL: s.cfg.PublicURL.String(),
		InviteRequired: s.cfg.InviteRequired, Logger: s.log,
		LocalFirst: s.opts.LocalFirst, SignupClosed: s.opts.SignupClosed,
	})
	s.pluginHooks = &pluginHooks{store: s.store}
	s.engine = repo.NewEngine(repo.Config{Store: s.store, Keys: s.accounts, Validator: lexiconValidator{}, Hooks: s.pluginHooks, Logger: s.log})
	s.accounts.SetEngine(s.engine)
	s.closers = append(s.closers, func() error { s.engine.Close(); return nil })
	return nil
}

// initAreas builds each area's services, in dependency order.
func (s *Server) initAreas(ctx context.Context) error {
	for _, init := range []func(context.Context) error{
		s.initFirehose, s.initBlobs, s.initSync, s.initMail, s.initLifecycle, s.initPrivacy, s.initProxy, s.initAdmin, s.initImport, s.initDelegation, s.initOAuth, s.initPlugins,
	} {
		if err := init(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Handler returns the HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Store returns the server's store (for tests and the desktop app).
func (s *Server) Store() store.Store { return s.store }

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "public_url", s.cfg.PublicURL.String(), "db", s.store.Dialect())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the services and closes the store, in reverse order of
// opening.
func (s *Server) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// lexiconValidator adapts the lexicon package to the repo engine.
type lexiconValidator struct{}

func (lexiconValidator) ValidateRecord(collection string, record map[string]any) (bool, error) {
	status, err := lexicon.ValidateRecord(collection, record)
	if err != nil {
		return false, err
	}
	return status == lexicon.Valid, nil
}
