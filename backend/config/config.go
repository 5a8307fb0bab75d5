package config

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/spf13/pflag"
)

// Config is Hearth's resolved configuration: every setting parsed, validated
// and with its default or derived value filled in. Build it with [Load] or
// [FromFlags]; a Config is not modified afterwards.
type Config struct {
	// Listen is the host:port the HTTP server binds (HEARTH_LISTEN).
	Listen string
	// PublicURL is the server's public base URL, scheme and host only, no
	// trailing slash (HEARTH_PUBLIC_URL).
	PublicURL *url.URL
	// DataDir is the directory holding the database, master key and blobs
	// (HEARTH_DATA_DIR).
	DataDir string
	// DB says which database to use (HEARTH_DB).
	DB DB
	// PLCURL is the PLC directory's base URL (HEARTH_PLC_URL).
	PLCURL *url.URL
	// HandleDomains are the handle suffixes this server hands out, each
	// lower-case with a leading dot, e.g. ".example.com"
	// (HEARTH_HANDLE_DOMAINS).
	HandleDomains []string
	// ServiceDID is the server's own DID (HEARTH_SERVICE_DID).
	ServiceDID syntax.DID
	// InviteRequired says whether createAccount needs an invite code
	// (HEARTH_INVITE_REQUIRED).
	InviteRequired bool
	// AdminPassword enables the admin routes (HTTP Basic admin:<password>)
	// when set (HEARTH_ADMIN_PASSWORD).
	AdminPassword Secret
	// MasterKeyFile is where the master key for secrets at rest is kept
	// (HEARTH_MASTER_KEY_FILE).
	MasterKeyFile string
	// LogLevel is the minimum level logged (HEARTH_LOG_LEVEL).
	LogLevel slog.Level
	// Dev turns on development mode (HEARTH_DEV).
	Dev bool
	// BlobLimit is the largest blob accepted, in bytes (HEARTH_BLOB_LIMIT).
	BlobLimit int64
	// BlobGrace is how long an uploaded blob may stay unreferenced before it
	// is deleted (HEARTH_BLOB_GRACE).
	BlobGrace time.Duration
	// FirehoseRetention is how long firehose events are kept for replay
	// (HEARTH_FIREHOSE_RETENTION).
	FirehoseRetention time.Duration
	// Relays are the relays asked to crawl this server (HEARTH_RELAYS).
	Relays []*url.URL
	// AppView is the service requests are proxied to by default
	// (HEARTH_APPVIEW).
	AppView ServiceRef
	// ReportService receives moderation reports (createReport) sent
	// without an atproto-proxy header.
	ReportService ServiceRef
	// SMTPURL is the mail server for account email, nil when unset
	// (HEARTH_SMTP_URL). It may carry a password: print it with Redacted.
	SMTPURL *url.URL
	// PluginFetchAllowPrivate lists the address ranges plugins' http:fetch
	// may reach although they are loopback, private or link-local
	// (HEARTH_PLUGIN_FETCH_ALLOW_PRIVATE); none by default.
	PluginFetchAllowPrivate []netip.Prefix
	// File is the config file that was read, "" if none (HEARTH_CONFIG).
	File string
}

// Driver names a storage backend.
type Driver string

// The storage backends.
const (
	DriverSQLite   Driver = "sqlite"
	DriverPostgres Driver = "postgres"
)

// DB is a parsed HEARTH_DB value.
type DB struct {
	// Driver is DriverSQLite or DriverPostgres.
	Driver Driver
	// Path is the SQLite database file (DriverSQLite only). It is absolute
	// when the URL was sqlite:///abs/path and relative to the working
	// directory when it was sqlite://rel/path.
	Path string
	// URL is the PostgreSQL connection URL, password included
	// (DriverPostgres only). Hand it to the driver; never log it (DB's String
	// and LogValue redact it).
	URL *url.URL
}

// ServiceRef names a service in a DID document: a DID and the id of one of
// its service entries, written "did#id" as in the atproto-proxy header.
type ServiceRef struct {
	// DID is the DID whose document lists the service.
	DID syntax.DID
	// ID is the service entry's id, without the '#'.
	ID string
}

// String returns "did#id".
func (r ServiceRef) String() string { return string(r.DID) + "#" + r.ID }

// RegisterFlags adds a flag for every setting, and --config, to fs. Each
// flag's help names its environment variable and default, so
// `hearth serve --help` documents the whole configuration. The flags' own
// default values are never used: [FromFlags] only reads flags that were set.
func RegisterFlags(fs *pflag.FlagSet) {
	fs.String(flagConfig, "", "read settings from this TOML `file` (env "+envConfig+")")
	for _, s := range settings {
		usage := fmt.Sprintf("%s (env %s; default %s)", s.usage, s.env(), strings.ReplaceAll(s.def, "`", ""))
		if s.boolean {
			fs.Bool(s.flag(), false, usage)
		} else {
			fs.String(s.flag(), "", usage)
		}
	}
}

// FromFlags builds the configuration from fs (already parsed, with
// [RegisterFlags]'s flags), the environment environ ("KEY=value" strings, as
// from os.Environ) and the config file named by --config or HEARTH_CONFIG.
// A flag that was set wins over the environment, which wins over the file,
// which wins over the default. An empty value counts as unset.
//
// It returns warnings (unknown HEARTH_* variables) for the caller to log, and
// an error joining one *[SettingError] per malformed setting, or describing a
// config file that cannot be read or has unknown keys.
func FromFlags(fs *pflag.FlagSet, environ []string) (*Config, []string, error) {
	l, warnings, err := newLoader(fs, environ)
	if err != nil {
		return nil, warnings, err
	}
	c, err := l.load()
	if err != nil {
		return nil, warnings, err
	}
	return c, warnings, nil
}

// Load parses args (the arguments after `hearth serve`) as flags and then
// does what [FromFlags] does. An unknown flag or a positional argument is an
// error; "--help" returns an error wrapping pflag.ErrHelp.
func Load(args, environ []string) (*Config, []string, error) {
	fs := pflag.NewFlagSet("hearth serve", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	return FromFlags(fs, environ)
}
