package config

import (
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// baseEnv is a minimal environment: no HEARTH_* variables.
var baseEnv = []string{"HOME=/home/alice", "XDG_DATA_HOME=/xdg", "PATH=/usr/bin"}

// mustLoad loads args and baseEnv plus env, failing the test on error.
func mustLoad(t *testing.T, args []string, env ...string) *Config {
	t.Helper()
	c, warnings, err := Load(args, append(slices.Clone(baseEnv), env...))
	if err != nil {
		t.Fatalf("Load(%q, %q): %v", args, env, err)
	}
	if len(warnings) > 0 {
		t.Fatalf("Load(%q, %q) warnings: %q", args, env, warnings)
	}
	return c
}

// writeFile writes a config file in a temporary directory.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hearth.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	c := mustLoad(t, nil)
	checks := []struct{ name, got, want string }{
		{"Listen", c.Listen, "127.0.0.1:2583"},
		{"PublicURL", c.PublicURL.String(), "http://127.0.0.1:2583"},
		{"DataDir", c.DataDir, "/xdg/hearth"},
		{"DB", c.DB.String(), "sqlite:///xdg/hearth/hearth.db"},
		{"DB.Path", c.DB.Path, "/xdg/hearth/hearth.db"},
		{"PLCURL", c.PLCURL.String(), "https://plc.directory"},
		{"HandleDomains", strings.Join(c.HandleDomains, ","), ".test"},
		{"ServiceDID", string(c.ServiceDID), "did:web:127.0.0.1%3A2583"},
		{"MasterKeyFile", c.MasterKeyFile, "/xdg/hearth/master.key"},
		{"AppView", c.AppView.String(), "did:web:api.bsky.app#bsky_appview"},
		{"File", c.File, ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.DB.Driver != DriverSQLite || !c.InviteRequired || c.AdminPassword.IsSet() || c.Dev ||
		c.LogLevel != slog.LevelInfo || c.BlobLimit != 100<<20 || c.BlobGrace != time.Hour ||
		c.FirehoseRetention != 72*time.Hour || len(c.Relays) != 0 || c.SMTPURL != nil {
		t.Errorf("unexpected defaults:\n%s", c.Redacted())
	}
}

func TestDataDirDefault(t *testing.T) {
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"HOME=/home/bob"}, "/home/bob/.local/share/hearth"},
		{[]string{"HOME=/home/bob", "XDG_DATA_HOME=relative/ignored"}, "/home/bob/.local/share/hearth"},
		{[]string{"HOME=/home/bob", "XDG_DATA_HOME=/data"}, "/data/hearth"},
	}
	for _, tc := range cases {
		c, _, err := Load(nil, tc.env)
		if err != nil || c.DataDir != tc.want {
			t.Errorf("env %q: DataDir = %v, %v; want %q", tc.env, c, err, tc.want)
		}
	}
	_, _, err := Load(nil, []string{"PATH=/bin"})
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != "HEARTH_DATA_DIR" {
		t.Errorf("no HOME: err = %v, want a HEARTH_DATA_DIR SettingError", err)
	}
	if c := mustLoad(t, nil, "HOME=", "XDG_DATA_HOME=", "HEARTH_DATA_DIR=/srv/h"); c.DB.Path != "/srv/h/hearth.db" {
		t.Errorf("DB.Path = %q, want it under HEARTH_DATA_DIR", c.DB.Path)
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "listen = \"127.0.0.1:1001\"\nlog_level = \"warn\"\ninvite_required = false\n")
	cfgEnv := "HEARTH_CONFIG=" + file
	cases := []struct {
		name   string
		args   []string
		env    []string
		listen string
		level  slog.Level
		invite bool
	}{
		{"default", nil, nil, "127.0.0.1:2583", slog.LevelInfo, true},
		{"file", nil, []string{cfgEnv}, "127.0.0.1:1001", slog.LevelWarn, false},
		{"env over file", nil, []string{cfgEnv, "HEARTH_LISTEN=127.0.0.1:1002", "HEARTH_INVITE_REQUIRED=true"}, "127.0.0.1:1002", slog.LevelWarn, true},
		{"flag over env", []string{"--listen", "127.0.0.1:1003", "--invite-required=false", "--log-level=debug"},
			[]string{cfgEnv, "HEARTH_LISTEN=127.0.0.1:1002", "HEARTH_INVITE_REQUIRED=true"}, "127.0.0.1:1003", slog.LevelDebug, false},
		{"--config over HEARTH_CONFIG", []string{"--config", file}, []string{"HEARTH_CONFIG=/nonexistent.toml"}, "127.0.0.1:1001", slog.LevelWarn, false},
		{"empty env is unset", nil, []string{cfgEnv, "HEARTH_LISTEN="}, "127.0.0.1:1001", slog.LevelWarn, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.args, tc.env...)
			if c.Listen != tc.listen || c.LogLevel != tc.level || c.InviteRequired != tc.invite {
				t.Errorf("listen %q level %v invite %v; want %q %v %v", c.Listen, c.LogLevel, c.InviteRequired, tc.listen, tc.level, tc.invite)
			}
		})
	}
}

func TestMalformedValues(t *testing.T) {
	cases := []struct{ env, value, want string }{
		{"HEARTH_LISTEN", "abc", `"abc" is not a host:port address`},
		{"HEARTH_LISTEN", "127.0.0.1:99999", "bad port"},
		{"HEARTH_LISTEN", "bad_host:80", "bad host"},
		{"HEARTH_PUBLIC_URL", "ftp://example.com", "is not an http:// or https:// URL"},
		{"HEARTH_PUBLIC_URL", "example.com", "is not an http:// or https:// URL"},
		{"HEARTH_PUBLIC_URL", "https://example.com/pds", "must not have a path"},
		{"HEARTH_PUBLIC_URL", "https://example.com:70000", "bad port"},
		{"HEARTH_DB", "mysql://u@h/db", `unknown scheme "mysql"`},
		{"HEARTH_DB", "/var/lib/hearth.db", "is not a database URL"},
		{"HEARTH_DB", "sqlite://", "want sqlite://<file path>"},
		{"HEARTH_DB", "sqlite:///x.db?mode=ro", "no ?query"},
		{"HEARTH_PLC_URL", "plc.directory", "is not an http:// or https:// URL"},
		{"HEARTH_HANDLE_DOMAINS", ".bad_domain", "is not a domain suffix"},
		{"HEARTH_HANDLE_DOMAINS", " , ", "names no domain"},
		{"HEARTH_SERVICE_DID", "web:example.com", "is not a DID"},
		{"HEARTH_INVITE_REQUIRED", "maybe", "is not a boolean"},
		{"HEARTH_DEV", "2", "is not a boolean"},
		{"HEARTH_LOG_LEVEL", "verbose", "is not a log level"},
		{"HEARTH_BLOB_LIMIT", "10XB", "is not a size"},
		{"HEARTH_BLOB_LIMIT", "-5", "is not a size"},
		{"HEARTH_BLOB_LIMIT", "0", "is not a size"},
		{"HEARTH_BLOB_LIMIT", "99999999999GiB", "too large"},
		{"HEARTH_BLOB_GRACE", "1 hour", "is not a positive duration"},
		{"HEARTH_BLOB_GRACE", "-1h", "is not a positive duration"},
		{"HEARTH_FIREHOSE_RETENTION", "0s", "is not a positive duration"},
		{"HEARTH_RELAYS", "https://bsky.network,wss://bad", `"wss://bad" is not an http:// or https:// URL`},
		{"HEARTH_APPVIEW", "did:web:api.bsky.app", "is not a did#service reference"},
		{"HEARTH_APPVIEW", "api.bsky.app#bsky_appview", "is not a DID"},
		{"HEARTH_SMTP_URL", "http://mail.example.com", "is not an smtp:// or smtps:// URL"},
	}
	for _, tc := range cases {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			_, _, err := Load(nil, append(slices.Clone(baseEnv), tc.env+"="+tc.value))
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != tc.env {
				t.Fatalf("err = %v, want a SettingError for %s", err, tc.env)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tc.env+": ") || !strings.Contains(msg, tc.want) {
				t.Errorf("err = %q, want %q prefixed with %s", msg, tc.want, tc.env)
			}
		})
	}
}

func TestErrorNamesTheSource(t *testing.T) {
	file := writeFile(t, "listen = \"abc\"\n")
	_, _, err := Load([]string{"--config", file}, baseEnv)
	if want := `listen (in ` + file + `): "abc" is not a host:port address`; err == nil || err.Error() != want {
		t.Errorf("file: err = %v, want %q", err, want)
	}
	_, _, err = Load([]string{"--listen=abc"}, baseEnv)
	if want := `--listen: "abc" is not a host:port address`; err == nil || err.Error() != want {
		t.Errorf("flag: err = %v, want %q", err, want)
	}
}

func TestAllBadSettingsReported(t *testing.T) {
	_, _, err := Load(nil, append(slices.Clone(baseEnv), "HEARTH_LISTEN=abc", "HEARTH_DEV=maybe"))
	if err == nil || !strings.Contains(err.Error(), "HEARTH_LISTEN") || !strings.Contains(err.Error(), "HEARTH_DEV") {
		t.Errorf("err = %v, want both HEARTH_LISTEN and HEARTH_DEV named", err)
	}
}

func TestUnknownFlagAndArgument(t *testing.T) {
	if _, _, err := Load([]string{"--nope"}, baseEnv); err == nil || !strings.Contains(err.Error(), "unknown flag: --nope") {
		t.Errorf("unknown flag: err = %v", err)
	}
	if _, _, err := Load([]string{"extra"}, baseEnv); err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
		t.Errorf("positional argument: err = %v", err)
	}
}

func TestConfigFileErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"lissten = \"127.0.0.1:1\"\n", `unknown key "lissten"`},
		{"[server]\nlisten = \"127.0.0.1:1\"\n", `unknown key "server"`},
		{"listen = 1.5\n", "listen: unsupported value of type float"},
		{"listen = [\"a\"]\n", "listen: unsupported value of type array"},
		{"relays = [\"https://a,https://b\"]\n", "array items must be strings without commas"},
		{"listen = \n", "hearth.toml:1:"},
	}
	for _, tc := range cases {
		p := writeFile(t, tc.text)
		_, _, err := Load(nil, append(slices.Clone(baseEnv), "HEARTH_CONFIG="+p))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("file %q: err = %v, want %q", tc.text, err, tc.want)
		}
	}
	if _, _, err := Load([]string{"--config=/nonexistent/hearth.toml"}, baseEnv); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

func TestConfigFileTypes(t *testing.T) {
	p := writeFile(t, `
invite_required = false
dev = true
blob_limit = 1048576
blob_grace = "30m"
handle_domains = ["a.test", ".B.test"]
relays = ["https://relay1.example", "https://relay2.example/"]
admin_password = "hunter2"
`)
	c := mustLoad(t, []string{"--config", p})
	if c.InviteRequired || !c.Dev || c.BlobLimit != 1<<20 || c.BlobGrace != 30*time.Minute || c.File != p {
		t.Errorf("scalars not read from the file:\n%s", c.Redacted())
	}
	if got := strings.Join(c.HandleDomains, ","); got != ".a.test,.b.test" {
		t.Errorf("HandleDomains = %q", got)
	}
	if got := urlListString(c.Relays); got != "https://relay1.example,https://relay2.example" {
		t.Errorf("Relays = %q", got)
	}
	if c.AdminPassword.Reveal() != "hunter2" {
		t.Error("admin password not read from the file")
	}
}

func TestUnknownEnvWarnings(t *testing.T) {
	env := append(slices.Clone(baseEnv), "HEARTH_FOO=1", "HEARTH_PUBLICURL=x", "HEARTH_log_level=debug", "HEARTH_TEST_POSTGRES=postgres://x", "HEARTH_CONFIG=")
	c, warnings, err := Load(nil, env)
	if err != nil || c == nil {
		t.Fatalf("Load: %v", err)
	}
	want := []string{
		"unknown environment variable HEARTH_FOO is ignored",
		"unknown environment variable HEARTH_PUBLICURL is ignored (did you mean HEARTH_PUBLIC_URL?)",
		"unknown environment variable HEARTH_log_level is ignored (did you mean HEARTH_LOG_LEVEL?)",
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
	if _, warnings, _ := Load([]string{"--listen=abc"}, env); len(warnings) != 3 {
		t.Errorf("warnings are returned with errors too; got %q", warnings)
	}
}

func TestPublicURLFromListen(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:2583":   "http://127.0.0.1:2583",
		"192.168.1.5:8080": "http://192.168.1.5:8080",
		"0.0.0.0:2583":     "http://localhost:2583",
		":2583":            "http://localhost:2583",
		"[::]:2583":        "http://localhost:2583",
		"[::1]:2583":       "http://[::1]:2583",
		"pds.local:2583":   "http://pds.local:2583",
	}
	for listen, want := range cases {
		if c := mustLoad(t, []string{"--listen", listen, "--service-did", "did:web:x", "--handle-domains", ".test"}); c.PublicURL.String() != want {
			t.Errorf("listen %q: PublicURL = %q, want %q", listen, c.PublicURL, want)
		}
	}
	if c := mustLoad(t, nil, "HEARTH_PUBLIC_URL=https://PDS.example.com:443/"); c.PublicURL.String() != "https://pds.example.com" {
		t.Errorf("PublicURL = %q, want the default port, case and slash normalised away", c.PublicURL)
	}
}

func TestServiceDIDDerivation(t *testing.T) {
	cases := map[string]string{
		"https://pds.example.com":      "did:web:pds.example.com",
		"http://localhost:2583":        "did:web:localhost%3A2583",
		"https://pds.example.com:8443": "did:web:pds.example.com%3A8443",
		"https://pds.example.com:443":  "did:web:pds.example.com",
	}
	for public, want := range cases {
		if c := mustLoad(t, nil, "HEARTH_PUBLIC_URL="+public); string(c.ServiceDID) != want {
			t.Errorf("public %q: ServiceDID = %q, want %q", public, c.ServiceDID, want)
		}
	}
	if c := mustLoad(t, nil, "HEARTH_SERVICE_DID=did:plc:abcdefghijklmnopqrstuvwx"); c.ServiceDID != "did:plc:abcdefghijklmnopqrstuvwx" {
		t.Errorf("explicit ServiceDID = %q", c.ServiceDID)
	}
	_, _, err := Load(nil, append(slices.Clone(baseEnv), "HEARTH_PUBLIC_URL=http://[::1]:2583"))
	if err == nil || !strings.Contains(err.Error(), "HEARTH_SERVICE_DID: cannot derive a did:web") {
		t.Errorf("IPv6 public host: err = %v, want a HEARTH_SERVICE_DID derivation error", err)
	}
}

func TestHandleDomains(t *testing.T) {
	c := mustLoad(t, nil, "HEARTH_HANDLE_DOMAINS=Test, .Example.COM,,.test")
	if got := strings.Join(c.HandleDomains, ","); got != ".test,.example.com" {
		t.Errorf("HandleDomains = %q, want .test,.example.com", got)
	}
	c = mustLoad(t, nil, "HEARTH_PUBLIC_URL=https://PDS.Example.com:8443")
	if got := strings.Join(c.HandleDomains, ","); got != ".pds.example.com" {
		t.Errorf("derived HandleDomains = %q, want .pds.example.com", got)
	}
}

func TestDBForms(t *testing.T) {
	cases := []struct {
		value  string
		driver Driver
		path   string
		shown  string
	}{
		{"sqlite:///var/lib/hearth/hearth.db", DriverSQLite, "/var/lib/hearth/hearth.db", "sqlite:///var/lib/hearth/hearth.db"},
		{"sqlite://data/hearth.db", DriverSQLite, "data/hearth.db", "sqlite://data/hearth.db"},
		{"SQLite:///tmp/./x.db", DriverSQLite, "/tmp/x.db", "sqlite:///tmp/x.db"},
		{"postgres://hearth:pw@db.internal:5432/hearth?sslmode=disable", DriverPostgres, "", "postgres://hearth:xxxxx@db.internal:5432/hearth?sslmode=disable"},
		{"postgresql:///hearth?host=/run/postgresql", DriverPostgres, "", "postgresql:///hearth?host=/run/postgresql"},
	}
	for _, tc := range cases {
		c := mustLoad(t, []string{"--db", tc.value})
		if c.DB.Driver != tc.driver || c.DB.Path != tc.path || c.DB.String() != tc.shown {
			t.Errorf("%q: got %s %q %q, want %s %q %q", tc.value, c.DB.Driver, c.DB.Path, c.DB, tc.driver, tc.path, tc.shown)
		}
	}
	c := mustLoad(t, []string{"--db", "postgres://hearth:pw@db/hearth"})
	if c.DB.URL.String() != "postgres://hearth:pw@db/hearth" {
		t.Errorf("DB.URL = %q, want the full URL for the driver", c.DB.URL)
	}
}

func TestSizes(t *testing.T) {
	cases := map[string]int64{
		"1048576": 1 << 20, "100MiB": 100 << 20, "512 KiB": 512 << 10, "2GiB": 2 << 30,
		"5M": 5e6, "5MB": 5e6, "20k": 20e3, "1G": 1e9, "7b": 7,
	}
	for in, want := range cases {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestRedaction(t *testing.T) {
	secrets := []string{"hunter2", "s3cret", "qpass", "mailpw"}
	c := mustLoad(t, nil,
		"HEARTH_ADMIN_PASSWORD=hunter2",
		"HEARTH_DB=postgres://hearth:s3cret@db/hearth?password=qpass",
		"HEARTH_SMTP_URL=smtps://bot:mailpw@mail.example.com:465")
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c, "password", c.AdminPassword, "db", c.DB)
	outputs := map[string]string{
		"Redacted": c.Redacted(), "slog": logged.String(),
		"%v": sprintf("%v", c), "%+v": sprintf("%+v", *c), "%#v": sprintf("%#v", *c),
		"DB %#v": sprintf("%#v", c.DB), "secret %#v": sprintf("%#v", c.AdminPassword),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output reveals %q:\n%s", name, s, out)
			}
		}
	}
	if !strings.Contains(c.Redacted(), "# admin_password is set (redacted)") {
		t.Errorf("Redacted() should say the admin password is set:\n%s", c.Redacted())
	}
	_, _, err := Load(nil, append(slices.Clone(baseEnv), "HEARTH_DB=mysql://hearth:s3cret@db/hearth"))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error for a bad DB URL reveals the password: %v", err)
	}
	if c.AdminPassword.Reveal() != "hunter2" || !c.AdminPassword.Matches("hunter2") || c.AdminPassword.Matches("hunter") {
		t.Error("the secret itself must still be usable")
	}
	if (Secret{}).Matches("") {
		t.Error("an unset secret must match nothing")
	}
}

func TestRedactedRoundTrip(t *testing.T) {
	c := mustLoad(t, nil, "HEARTH_PUBLIC_URL=https://pds.example.com", "HEARTH_RELAYS=https://bsky.network",
		"HEARTH_LOG_LEVEL=debug", "HEARTH_BLOB_LIMIT=5M", "HEARTH_SMTP_URL=smtp://mail.example.com:25")
	p := writeFile(t, c.Redacted())
	again := mustLoad(t, []string{"--config", p}, "HOME=/elsewhere")
	if strings.TrimPrefix(again.Redacted(), "# read from "+p+"\n") != c.Redacted() {
		t.Errorf("round trip changed the config:\n%s\nvs\n%s", c.Redacted(), again.Redacted())
	}
}

func TestParsedTypes(t *testing.T) {
	c := mustLoad(t, nil, "HEARTH_PLC_URL=http://127.0.0.1:2582/", "HEARTH_SMTP_URL=smtp://mail:25")
	want := &url.URL{Scheme: "http", Host: "127.0.0.1:2582"}
	if *c.PLCURL != *want {
		t.Errorf("PLCURL = %#v, want %#v", c.PLCURL, want)
	}
	if c.SMTPURL.Hostname() != "mail" || c.SMTPURL.Port() != "25" {
		t.Errorf("SMTPURL = %v", c.SMTPURL)
	}
	if c.AppView.DID != "did:web:api.bsky.app" || c.AppView.ID != "bsky_appview" {
		t.Errorf("AppView = %+v", c.AppView)
	}
}

func TestPluginFetchAllowPrivate(t *testing.T) {
	c := mustLoad(t, []string{"--plugin-fetch-allow-private", "127.0.0.0/8, ::1,10.1.2.3/16"})
	got := prefixListString(c.PluginFetchAllowPrivate)
	if got != "127.0.0.0/8,::1/128,10.1.0.0/16" {
		t.Fatalf("PluginFetchAllowPrivate = %q", got)
	}
	if c := mustLoad(t, nil); len(c.PluginFetchAllowPrivate) != 0 {
		t.Fatalf("default = %v, want none", c.PluginFetchAllowPrivate)
	}
	_, _, err := Load([]string{"--plugin-fetch-allow-private", "localhost"}, slices.Clone(baseEnv))
	if err == nil || !strings.Contains(err.Error(), "plugin_fetch_allow_private") && !strings.Contains(err.Error(), "plugin-fetch-allow-private") {
		t.Fatalf("a bad range: %v", err)
	}
}
