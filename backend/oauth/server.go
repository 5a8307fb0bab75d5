package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
)

// Purpose labels for keys.Sealer.DeriveKey: the access-token signing key
// and the key behind DPoP nonces and CSRF tokens. Every instance on one
// database derives the same keys from the same master key.
const (
	PurposeAccessToken = "hearth/oauth/access-token-hs256/v1"
	PurposeNonce       = "hearth/oauth/nonce-csrf/v1"
)

// Lifetimes.
const (
	requestTTL         = 10 * time.Minute     // a pushed request, until approved
	codeTTL            = time.Minute          // an authorization code
	accessTTL          = 15 * time.Minute     // an access token
	publicRefreshTTL   = 24 * time.Hour       // a public client's refresh token
	publicSessionTTL   = 7 * 24 * time.Hour   // a public client's sign-in
	confidRefreshTTL   = 90 * 24 * time.Hour  // a confidential client's refresh token
	confidSessionTTL   = 365 * 24 * time.Hour // a confidential client's sign-in
	deviceTTL          = 30 * 24 * time.Hour  // an account remembered on a browser
	cleanupInterval    = 10 * time.Minute
	maxFormBytes       = 64 << 10
	requestURIPrefix   = "urn:ietf:params:oauth:request_uri:"
	clientAssertionJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Accounts finds accounts for the login page.
type Accounts interface {
	// Lookup finds an account by handle, email or DID.
	Lookup(ctx context.Context, identifier string) (store.Account, error)
}

// Config configures a Server.
type Config struct {
	Store store.Store
	// Issuer is the public URL (HEARTH_PUBLIC_URL): scheme and host, no
	// trailing slash. Every endpoint URL and the DPoP htu are built on it.
	Issuer string
	// ServiceDID is the access tokens' aud.
	ServiceDID string
	// TokenKey signs access tokens (DeriveKey(PurposeAccessToken, 32)).
	TokenKey []byte
	// NonceKey derives DPoP nonces and CSRF tokens (DeriveKey(PurposeNonce, 32)).
	NonceKey []byte
	Accounts Accounts
	// HTTPClient fetches client metadata and jwks_uri documents. It should
	// refuse private addresses unless AllowHTTPClients is set.
	HTTPClient *http.Client
	// AllowHTTPClients accepts client_id (and jwks_uri) URLs with plain
	// http and a port on loopback or private hosts, and http loopback
	// redirect URIs for web clients: for development (--dev) and tests.
	// Production servers accept only https client metadata URLs and the
	// http://localhost development form.
	AllowHTTPClients bool
	Logger           *slog.Logger
	// RefreshCheck, when set, runs before every refresh of a sign-in and
	// returns the scope the new tokens get, "" for unchanged (delegation
	// re-checks the controller's grant here). An error refuses the refresh
	// and revokes the sign-in; a *Error is sent as it is, anything else as
	// invalid_grant.
	RefreshCheck func(ctx context.Context, t store.OAuthToken) (scope string, err error)
	// ActAs lets controllers act as accounts: the "sign in as a
	// controller" pages, the cross-PDS login, the token exchange and the
	// per-request re-check of act-as tokens. Nil: no act-as token is issued
	// and every act-as token is refused.
	ActAs ActAs
	// ServiceAuth verifies the actor tokens of the token exchange (RFC
	// 8693); nil refuses the exchange.
	ServiceAuth *auth.ServiceAuth
	// Directory resolves a remote controller's DID to its PDS for the
	// cross-PDS login; nil offers only controllers hosted here.
	Directory indigoid.Directory
}

// Server is the authorization server and the resource-server check.
type Server struct {
	cfg     Config
	log     *slog.Logger
	clients *clientCache
	now     atomic.Pointer[func() time.Time]
	dummy   dummyHash
	logins  loginThrottle
	remote  atomic.Pointer[http.Client] // nil: cfg.HTTPClient
}

// New builds a Server.
func New(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("oauth: the issuer must be a URL with a scheme and host and no path")
	}
	if len(cfg.TokenKey) < 32 || len(cfg.NonceKey) < 32 {
		return nil, errors.New("oauth: TokenKey and NonceKey need 32 bytes")
	}
	if cfg.Store == nil || cfg.Accounts == nil {
		return nil, errors.New("oauth: Store and Accounts are required")
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	s.clients = newClientCache(s)
	return s, nil
}

// SetClock replaces the clock (tests); nil restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		s.now.Store(nil)
		return
	}
	s.now.Store(&now)
}

// clock returns the current time.
func (s *Server) clock() time.Time {
	if f := s.now.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// Issuer returns the issuer URL.
func (s *Server) Issuer() string { return s.cfg.Issuer }

// endpoint returns the absolute URL of a path on this server.
func (s *Server) endpoint(path string) string { return s.cfg.Issuer + path }

// Endpoint paths.
const (
	pathPAR       = "/oauth/par"
	pathAuthorize = "/oauth/authorize"
	pathToken     = "/oauth/token"
	pathRevoke    = "/oauth/revoke"
	// The cross-PDS login: this server is an OAuth client of a remote
	// controller's PDS, with this client metadata document and callback.
	pathRemoteClient   = "/oauth/delegated/client-metadata.json"
	pathRemoteCallback = "/oauth/delegated/callback"
)

// Routes registers the well-known documents and the endpoints on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/oauth-protected-resource", s.protectedResource)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.authServerMetadata)
	mux.HandleFunc("POST "+pathPAR, s.cors(s.par))
	mux.HandleFunc("POST "+pathToken, s.cors(s.token))
	mux.HandleFunc("POST "+pathRevoke, s.cors(s.revoke))
	mux.HandleFunc("OPTIONS /oauth/{endpoint}", s.cors(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET "+pathAuthorize, s.authorizeGet)
	mux.HandleFunc("POST "+pathAuthorize, s.authorizePost)
	mux.HandleFunc("GET "+pathRemoteClient, s.remoteClientMetadata)
	mux.HandleFunc("GET "+pathRemoteCallback, s.remoteCallback)
}

// cors allows browser apps to call the JSON endpoints (the spec requires
// it); these endpoints use no cookies.
func (s *Server) cors(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, DPoP")
		w.Header().Set("Access-Control-Expose-Headers", "DPoP-Nonce, WWW-Authenticate")
		w.Header().Set("Access-Control-Max-Age", "600")
		h(w, r)
	}
}

// RunCleanup deletes expired OAuth rows every few minutes until ctx ends.
func (s *Server) RunCleanup(ctx context.Context) {
	t := time.NewTicker(cleanupInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.cfg.Store.DeleteExpiredOAuth(ctx, s.clock()); err != nil {
			if ctx.Err() == nil {
				s.log.Warn("oauth cleanup failed", "err", err)
			}
		} else if n > 0 {
			s.log.Debug("oauth cleanup", "deleted", n)
		}
	}
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b64.EncodeToString(b)
}

// hashSecret is how codes, refresh tokens and device cookies are stored.
func hashSecret(v string) []byte {
	sum := sha256.Sum256([]byte(v))
	return sum[:]
}

// s256 is the PKCE S256 transform (and the DPoP ath).
func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return b64.EncodeToString(sum[:])
}

// readForm parses a bounded form body.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		return invalidRequest("bad form body: %v", err)
	}
	return nil
}

// single returns a form parameter that must appear at most once.
func single(r *http.Request, name string) (string, error) {
	vs := r.PostForm[name]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	}
	return "", invalidRequest("parameter %q is repeated", name)
}
