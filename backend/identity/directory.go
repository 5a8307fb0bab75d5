package identity

import (
	"net/http"
	"strings"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
)

// Cache defaults for NewDirectory. A PDS also purges an identity itself
// when it learns of a change (an #identity event, a handle update), so the
// hit TTL bounds staleness only for changes it did not see.
const (
	DefaultCacheSize        = 10_000
	DefaultHitTTL           = time.Hour
	DefaultErrTTL           = time.Minute
	DefaultInvalidHandleTTL = 5 * time.Minute
)

// DirectoryConfig configures NewDirectory. Only PLCURL is required.
type DirectoryConfig struct {
	// PLCURL is the PLC directory: DefaultPLCURL in production, the local
	// stand-in in tests and --dev. Empty means DefaultPLCURL.
	PLCURL string
	// HTTPClient is used for did:plc, did:web and well-known handle lookups.
	// Nil means a plain client with a 15 s timeout. indigo's own defaults
	// refuse loopback addresses; this one does not, so tests can use a PLC
	// on 127.0.0.1.
	HTTPClient *http.Client
	// SkipDNSDomainSuffixes lists handle suffixes (such as ".test") for
	// which the DNS TXT lookup is skipped and only the well-known path is
	// tried.
	SkipDNSDomainSuffixes []string
	// CacheSize is the number of handles and of DIDs kept; 0 means
	// DefaultCacheSize.
	CacheSize int
	// HitTTL, ErrTTL and InvalidHandleTTL bound how long a resolved
	// identity, a failed lookup and an identity whose handle did not verify
	// are kept; 0 means the Default… value.
	HitTTL, ErrTTL, InvalidHandleTTL time.Duration
}

// NewDirectory returns the identity directory the rest of Hearth resolves
// DIDs and handles through: indigo's BaseDirectory pointed at the configured
// PLC directory, wrapped in indigo's CacheDirectory. Lookups verify handles
// both ways, as indigo does.
func NewDirectory(cfg DirectoryConfig) indigoid.Directory {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	base := &indigoid.BaseDirectory{
		PLCURL:                strings.TrimRight(orDefault(cfg.PLCURL, DefaultPLCURL), "/"),
		HTTPClient:            *hc,
		SkipDNSDomainSuffixes: cfg.SkipDNSDomainSuffixes,
		UserAgent:             userAgent,
	}
	return indigoid.NewCacheDirectory(base,
		orDefault(cfg.CacheSize, DefaultCacheSize),
		orDefault(cfg.HitTTL, DefaultHitTTL),
		orDefault(cfg.ErrTTL, DefaultErrTTL),
		orDefault(cfg.InvalidHandleTTL, DefaultInvalidHandleTTL))
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
