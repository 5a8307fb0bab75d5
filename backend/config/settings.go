package config

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// The --config flag and its variable are not settings: a config file cannot
// name another one.
const (
	flagConfig = "config"
	envConfig  = "HEARTH_CONFIG"
	envPrefix  = "HEARTH_"
)

// setting describes one configuration value. Its file key is key, its flag
// the key with dashes, its environment variable HEARTH_ and the key in
// upper case.
type setting struct {
	key     string
	usage   string // one line of help; a `word` becomes the flag's placeholder
	def     string // the default, in Markdown (backticks are dropped for --help)
	boolean bool   // a pflag bool flag (--dev rather than --dev=true)
	list    bool   // comma-separated; a TOML array is accepted in the file
	// apply parses raw ("" when unset) into c, deriving the default from
	// fields applied earlier when unset. env is the whole environment.
	apply func(c *Config, raw string, env map[string]string) error
	// show formats the value for logs and Redacted; secrets are masked.
	show func(c *Config) string
}

func (s setting) flag() string { return strings.ReplaceAll(s.key, "_", "-") }
func (s setting) env() string  { return envPrefix + strings.ToUpper(s.key) }

// settings lists every setting in the order they are applied: a setting
// whose default is derived comes after the ones it derives from.
var settings = []setting{
	{key: "listen", usage: "`host:port` the HTTP server listens on", def: "`127.0.0.1:2583`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.Listen, err = parseListen(or(raw, "127.0.0.1:2583"))
			return err
		},
		show: func(c *Config) string { return c.Listen }},
	{key: "public_url", usage: "public base `URL` of this server", def: "`http://` + the listen address",
		apply: applyPublicURL, show: func(c *Config) string { return urlString(c.PublicURL) }},
	{key: "data_dir", usage: "`directory` for the database, keys and blobs", def: "`$XDG_DATA_HOME/hearth` (`~/.local/share/hearth`)",
		apply: applyDataDir, show: func(c *Config) string { return c.DataDir }},
	{key: "db", usage: "database `URL`: sqlite://path or postgres://…", def: "`sqlite://<data dir>/hearth.db`",
		apply: applyDB, show: func(c *Config) string { return c.DB.String() }},
	{key: "plc_url", usage: "PLC directory `URL`", def: "`https://plc.directory`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.PLCURL, err = parseHTTPURL(or(raw, "https://plc.directory"))
			return err
		},
		show: func(c *Config) string { return urlString(c.PLCURL) }},
	{key: "handle_domains", usage: "comma-separated handle `suffixes` served, e.g. .example.com", def: "`.` + the public URL's host (`.test` when it is an IP address or localhost)", list: true,
		apply: applyHandleDomains, show: func(c *Config) string { return strings.Join(c.HandleDomains, ",") }},
	{key: "service_did", usage: "this server's `DID`", def: "`did:web:` + the public URL's host (a port as `%3A<port>`)",
		apply: applyServiceDID, show: func(c *Config) string { return string(c.ServiceDID) }},
	{key: "invite_required", usage: "require an invite code to create an account", def: "`true`", boolean: true,
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.InviteRequired, err = parseBool(or(raw, "true"))
			return err
		},
		show: func(c *Config) string { return strconv.FormatBool(c.InviteRequired) }},
	{key: "admin_password", usage: "enable admin routes with HTTP Basic admin:`password`", def: "unset: admin routes disabled",
		apply: func(c *Config, raw string, _ map[string]string) error {
			c.AdminPassword = NewSecret(raw)
			return nil
		},
		show: func(c *Config) string { return c.AdminPassword.String() }},
	{key: "master_key_file", usage: "`file` holding the master key for secrets at rest", def: "`<data dir>/master.key`",
		apply: applyMasterKeyFile, show: func(c *Config) string { return c.MasterKeyFile }},
	{key: "log_level", usage: "minimum log `level`: debug, info, warn or error", def: "`info`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.LogLevel, err = parseLogLevel(or(raw, "info"))
			return err
		},
		show: func(c *Config) string { return strings.ToLower(c.LogLevel.String()) }},
	{key: "dev", usage: "development mode: run a local PLC stand-in and use it", def: "`false`", boolean: true,
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.Dev, err = parseBool(or(raw, "false"))
			return err
		},
		show: func(c *Config) string { return strconv.FormatBool(c.Dev) }},
	{key: "blob_limit", usage: "largest blob accepted: bytes, or with a k/M/G or KiB/MiB/GiB `size` suffix", def: "`100MiB`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.BlobLimit, err = parseSize(or(raw, "100MiB"))
			return err
		},
		show: func(c *Config) string { return strconv.FormatInt(c.BlobLimit, 10) }},
	{key: "blob_grace", usage: "how long an uploaded blob may stay unreferenced (Go `duration`)", def: "`1h`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.BlobGrace, err = parseDuration(or(raw, "1h"))
			return err
		},
		show: func(c *Config) string { return c.BlobGrace.String() }},
	{key: "firehose_retention", usage: "how long firehose events are kept for replay (Go `duration`)", def: "`72h`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.FirehoseRetention, err = parseDuration(or(raw, "72h"))
			return err
		},
		show: func(c *Config) string { return c.FirehoseRetention.String() }},
	{key: "relays", usage: "comma-separated relay `URLs` to ask for crawls", def: "none", list: true,
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.Relays, err = parseURLList(raw)
			return err
		},
		show: func(c *Config) string { return urlListString(c.Relays) }},
	{key: "appview", usage: "default proxy target, `did#service`", def: "`did:web:api.bsky.app#bsky_appview`",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.AppView, err = parseServiceRef(or(raw, "did:web:api.bsky.app#bsky_appview"))
			return err
		},
		show: func(c *Config) string { return c.AppView.String() }},
	{key: "report_service", usage: "where com.atproto.moderation.createReport goes, `did#service`", def: "`did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler` (Bluesky's moderation service)",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.ReportService, err = parseServiceRef(or(raw, "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler"))
			return err
		},
		show: func(c *Config) string { return c.ReportService.String() }},
	{key: "plugin_fetch_allow_private", usage: "comma-separated address `ranges` (CIDR) plugins may fetch from although loopback, private or link-local", def: "none",
		list: true,
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			c.PluginFetchAllowPrivate, err = parsePrefixList(raw)
			return err
		},
		show: func(c *Config) string { return prefixListString(c.PluginFetchAllowPrivate) }},
	{key: "smtp_url", usage: "mail server `URL`, smtp:// or smtps://user:pass@host:port", def: "unset: no email is sent",
		apply: func(c *Config, raw string, _ map[string]string) (err error) {
			if raw != "" {
				c.SMTPURL, err = parseSMTPURL(raw)
			}
			return err
		},
		show: func(c *Config) string { return redactedURL(c.SMTPURL) }},
}

// lookupSetting returns the setting whose file key is key.
func lookupSetting(key string) (setting, bool) {
	for _, s := range settings {
		if s.key == key {
			return s, true
		}
	}
	return setting{}, false
}

// or returns v, or def when v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func applyPublicURL(c *Config, raw string, _ map[string]string) (err error) {
	if raw != "" {
		c.PublicURL, err = parsePublicURL(raw)
		return err
	}
	if c.Listen != "" {
		c.PublicURL = derivePublicURL(c.Listen)
	}
	return nil
}

func applyDataDir(c *Config, raw string, env map[string]string) (err error) {
	if raw != "" {
		c.DataDir = filepath.Clean(raw)
		return nil
	}
	c.DataDir, err = defaultDataDir(env)
	return err
}

func applyDB(c *Config, raw string, _ map[string]string) (err error) {
	if raw == "" {
		if c.DataDir == "" {
			return nil // data_dir already failed
		}
		raw = "sqlite://" + filepath.Join(c.DataDir, "hearth.db")
	}
	c.DB, err = parseDB(raw)
	return err
}

func applyMasterKeyFile(c *Config, raw string, _ map[string]string) error {
	switch {
	case raw != "":
		c.MasterKeyFile = filepath.Clean(raw)
	case c.DataDir != "": // else data_dir already failed
		c.MasterKeyFile = filepath.Join(c.DataDir, "master.key")
	}
	return nil
}

func applyHandleDomains(c *Config, raw string, _ map[string]string) (err error) {
	if raw != "" {
		c.HandleDomains, err = parseDomains(raw)
		return err
	}
	if c.PublicURL == nil {
		return nil // public_url already failed
	}
	host := c.PublicURL.Hostname()
	if host == "localhost" || net.ParseIP(host) != nil {
		// No handle can live under an IP address or localhost: a local
		// server hands out .test handles, which no real resolver serves.
		host = "test"
	}
	c.HandleDomains, err = parseDomains("." + host)
	if err != nil {
		return fmt.Errorf("cannot derive one from the public URL, set it: %w", err)
	}
	return nil
}

func applyServiceDID(c *Config, raw string, _ map[string]string) (err error) {
	if raw != "" {
		c.ServiceDID, err = parseDID(raw)
		return err
	}
	if c.PublicURL == nil {
		return nil // public_url already failed
	}
	c.ServiceDID, err = deriveServiceDID(c.PublicURL)
	return err
}
