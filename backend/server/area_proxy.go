package server

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/config"
	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/proxy"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// proxyArea holds the proxy: where calls this server does not answer go
// (the AppView by default, reports to the report service) and the
// forwarder that mints each call's service-auth JWT.
type proxyArea struct {
	proxy    *proxy.Proxy
	services proxy.Defaults
}

// initProxy builds the proxy. Reports without an atproto-proxy header go
// to the configured report service. Services on loopback and private addresses are
// reachable only in dev mode or when this server itself is on one.
func (s *Server) initProxy(context.Context) error {
	appView := serviceRef(s.cfg.AppView)
	s.services = proxy.Defaults{AppView: appView, Reports: serviceRef(s.cfg.ReportService)}
	allowPrivate := s.cfg.Dev || privateHost(s.cfg.PublicURL.Hostname())
	s.proxy = proxy.New(proxy.Config{Directory: s.dir, Keys: s.accounts, AllowPrivate: allowPrivate, Logger: s.log})
	return nil
}

func serviceRef(r config.ServiceRef) proxy.Service { return proxy.Service{DID: r.DID, ID: r.ID} }

// privateHost reports whether host is localhost or a non-public address: a
// development or test server, whose services live nearby.
func privateHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && !proxy.PublicAddr(a)
}

// registerProxy adds preferences, reports and checkSignupQueue, and makes
// the proxy the router's fallback for every other method.
func (s *Server) registerProxy(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.PrefsHandlers{Store: s.store, Proxy: s.proxy, Services: s.services, Log: s.log}).Methods()...)
	rt.Register((&xrpc.ModerationHandlers{Proxy: s.proxy, Services: s.services, Log: s.log}).Methods()...)
	rt.Register((&xrpc.TempHandlers{}).Methods()...)
	rt.Fallback = &proxy.Handler{
		Proxy: s.proxy, Defaults: s.services, Logger: s.log, HTTPMethod: lexiconHTTPMethod,
		Auth: proxyAuth{&xrpc.TokenAuth{Tokens: s.tokens, Accounts: s.store}},
	}
}

// lexiconHTTPMethod names the HTTP method of a query or procedure of the
// embedded lexicons.
func lexiconHTTPMethod(nsid string) (string, bool) {
	m, ok := lexicon.LookupMethod(nsid)
	switch {
	case ok && m.Kind == lexicon.KindQuery:
		return http.MethodGet, true
	case ok && m.Kind == lexicon.KindProcedure:
		return http.MethodPost, true
	}
	return "", false
}

// proxyAuth authenticates forwarded calls with an access token, as the
// router does for AccessAuth methods.
type proxyAuth struct{ access *xrpc.TokenAuth }

// Authenticate verifies the bearer access token and returns its account.
func (a proxyAuth) Authenticate(r *http.Request) (proxy.Caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return proxy.Caller{}, proxy.Errorf(http.StatusUnauthorized, "AuthRequired", "Authentication Required")
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return proxy.Caller{}, proxy.Errorf(http.StatusUnauthorized, "InvalidToken", "unsupported authorization scheme %q", scheme)
	}
	v, err := a.access.Access(r.Context(), strings.TrimSpace(token))
	if err != nil {
		return proxy.Caller{}, err // an *xrpc.Error is a *proxy.Error
	}
	return proxy.Caller{DID: syntax.DID(v.DID), Privileged: v.Privileged}, nil
}
