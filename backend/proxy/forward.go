package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Config configures a Proxy. Directory and Keys are required.
type Config struct {
	// Directory resolves service DIDs; it should cache.
	Directory DIDLookup
	// Keys opens the signing keys service-auth JWTs are signed with.
	Keys KeySource
	// Client sends the forwarded calls; nil means NewClient(AllowPrivate).
	Client *http.Client
	// AllowPrivate lets services live on loopback and private addresses and
	// use http endpoints (development and tests).
	AllowPrivate bool
	// TokenTTL is the lifetime of minted JWTs; 0 means DefaultTokenTTL.
	TokenTTL time.Duration
	// Logger reports failures that cannot reach the client; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Proxy forwards XRPC calls to other services. It is safe for concurrent
// use.
type Proxy struct {
	resolver Resolver
	minter   Minter
	client   *http.Client
	log      *slog.Logger
}

// New returns a Proxy.
func New(cfg Config) *Proxy {
	p := &Proxy{
		resolver: Resolver{Directory: cfg.Directory, AllowPrivate: cfg.AllowPrivate},
		minter:   Minter{Keys: cfg.Keys, TTL: cfg.TokenTTL},
		client:   cfg.Client,
		log:      cfg.Logger,
	}
	if p.client == nil {
		p.client = NewClient(cfg.AllowPrivate)
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	return p
}

// Call is one call to forward.
type Call struct {
	// Caller is the authenticated account the call is made for: the
	// issuer of the service-auth JWT.
	Caller syntax.DID
	// Service is where the call goes.
	Service Service
	// NSID is the method, the JWT's lxm.
	NSID syntax.NSID
}

// Forward sends r on to c.Service as c.Caller and streams the response back
// to w. r's method, path, query and body go on unchanged (set r.Body and
// r.ContentLength to send another body).
//
// A non-nil error means nothing was written but, for an error response of
// the service, its retry-after and atproto-* headers: the caller reports the
// error (an *Error for every failure the client should see). Once the
// response has started, a failure aborts the connection (panics with
// http.ErrAbortHandler), so the client sees a truncated response rather
// than a short one that looks complete.
func (p *Proxy) Forward(w http.ResponseWriter, r *http.Request, c Call) error {
	ctx := r.Context()
	base, err := p.resolver.Endpoint(ctx, c.Service)
	if err != nil {
		return err
	}
	out, err := p.outgoing(ctx, r, c, base)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(out)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("forward %s to %s: %w", c.NSID, c.Service, ctx.Err())
		}
		p.log.Warn("proxy: service unreachable", "service", c.Service.String(), "nsid", c.NSID.String(), "err", err)
		return upstreamFailure(err, "Upstream service unreachable")
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		copyHeaders(w.Header(), resp.Header, passBackMeta)
		return upstreamError(resp)
	}
	p.stream(w, r, resp, c)
	return nil
}

// outgoing builds the request to the service.
func (p *Proxy) outgoing(ctx context.Context, r *http.Request, c Call, base *url.URL) (*http.Request, error) {
	token, err := p.minter.Mint(ctx, c.Caller, c.Service.DID.String(), c.NSID)
	if err != nil {
		return nil, err
	}
	target := *base
	target.Path = strings.TrimSuffix(base.Path, "/") + r.URL.Path
	target.RawPath = ""
	target.RawQuery = r.URL.RawQuery
	var body = r.Body
	if r.Method != http.MethodPost {
		body = nil
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, target.String(), body)
	if err != nil {
		return nil, fmt.Errorf("forward %s: %w", c.NSID, err)
	}
	copyHeaders(out.Header, r.Header, passOn)
	if r.Method == http.MethodPost {
		copyHeaders(out.Header, r.Header, passOnBody)
		out.ContentLength = r.ContentLength
	}
	out.Header.Set("Accept-Encoding", orDefault(r.Header.Get("Accept-Encoding"), "identity"))
	out.Header.Set("Authorization", "Bearer "+token)
	out.Header.Set("User-Agent", "hearth-pds")
	return out, nil
}

// stream sends the service's successful response to the client.
func (p *Proxy) stream(w http.ResponseWriter, r *http.Request, resp *http.Response, c Call) {
	copyHeaders(w.Header(), resp.Header, passBackContent)
	copyHeaders(w.Header(), resp.Header, passBackMeta)
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			_, werr := w.Write(buf[:n])
			if werr == nil {
				werr = flush(rc)
			}
			if werr != nil {
				panic(http.ErrAbortHandler) // the client went away
			}
		}
		if rerr == nil {
			continue
		}
		if !errors.Is(rerr, io.EOF) {
			p.log.Warn("proxy: response from service cut short", "service", c.Service.String(), "nsid", c.NSID.String(), "err", rerr)
			panic(http.ErrAbortHandler)
		}
		return
	}
}

// flush sends what was written so far: the client gets what the service
// sent as it sent it. A writer that cannot flush is left to its buffering.
func flush(rc *http.ResponseController) error {
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
