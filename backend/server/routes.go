package server

import (
	"net/http"
	"strings"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/xrpc"
	"github.com/hearthpds/hearth/internal/version"
)

// routes builds the HTTP handler: /xrpc/*, the well-known endpoints and
// the root page.
func (s *Server) routes() http.Handler {
	admin := s.cfg.AdminPassword
	rt := xrpc.NewRouter(s.log, &xrpc.TokenAuth{Tokens: s.tokens, Accounts: s.store, Admin: func() string {
		if !admin.IsSet() {
			return ""
		}
		return admin.Reveal()
	}})
	docs := s.didDocs
	ident := &xrpc.IdentityHandlers{Store: s.store, Directory: s.dir}
	rt.Register((&xrpc.ServerHandlers{
		Info: xrpc.ServerInfo{
			DID: s.cfg.ServiceDID.String(), HandleDomains: s.cfg.HandleDomains,
			InviteRequired: s.cfg.InviteRequired, Host: s.cfg.PublicURL.Hostname(),
		},
		Store: s.store, Accounts: s.accounts, Tokens: s.tokens, Docs: docs,
	}).Methods()...)
	rt.Register((&xrpc.RepoHandlers{Store: s.store, Engine: s.engine, Docs: docs, Private: s.privacy}).Methods()...)
	rt.Register(ident.Methods()...)

	rt.Plugins = s.pluginHooks
	s.router = rt
	mux := http.NewServeMux()
	for _, register := range []func(*xrpc.Router, *http.ServeMux){
		s.registerFirehose, s.registerBlobs, s.registerSync, s.registerMail, s.registerLifecycle, s.registerProxy, s.registerAdmin, s.registerDelegation, s.registerPrivacy, s.registerOAuth, s.registerPlugins,
	} {
		register(rt, mux)
	}
	mux.HandleFunc("GET /xrpc/_health", s.health)
	mux.Handle("/xrpc/", rt)
	mux.HandleFunc("GET /.well-known/atproto-did", ident.WellKnownDID)
	mux.HandleFunc("GET /{$}", root)
	return mux
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if _, err := s.store.LatestSeq(r.Context()); err != nil {
		s.log.Error("health check: database unavailable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":"ServiceUnavailable","message":"database unavailable"}`))
		return
	}
	_, _ = w.Write([]byte(`{"version":"` + version.Version + `"}`))
}

func root(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(strings.TrimSpace(banner) + "\n"))
}

const banner = `
This is an AT Protocol Personal Data Server (PDS), run by Hearth.

Most API routes are under /xrpc/
`

// Engine returns the repository engine (for the desktop app and tests).
func (s *Server) Engine() *repo.Engine { return s.engine }

// Router returns the XRPC router (for tests and coverage docs).
func (s *Server) Router() *xrpc.Router { return s.router }
