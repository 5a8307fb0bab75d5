package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// The parsers in this file and values.go turn one raw value into its typed
// form. Their errors quote the offending value (with any password masked)
// but not the setting's name, which the loader adds.

func parseListen(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a host:port address", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("%q is not a host:port address: bad port %q", s, port)
	}
	if host != "" && net.ParseIP(host) == nil && !isHostname(host) {
		return "", fmt.Errorf("%q is not a host:port address: bad host %q", s, host)
	}
	return net.JoinHostPort(host, port), nil
}

// derivePublicURL is http://<listen address>, with localhost standing in
// for a wildcard host (":2583", "0.0.0.0:2583", "[::]:2583").
func derivePublicURL(listen string) *url.URL {
	host, port, _ := net.SplitHostPort(listen)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}
}

// parseHTTPURL accepts an absolute http or https URL without credentials,
// query or fragment, and drops a trailing slash from its path.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", redactRaw(s))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q: a base URL takes no user info, ?query or #fragment", redactRaw(s))
	}
	if err := checkPort(u); err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func checkPort(u *url.URL) error {
	if p := u.Port(); p != "" {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return fmt.Errorf("bad port %q", p)
		}
	}
	return nil
}

// parsePublicURL is parseHTTPURL restricted to an origin (atproto services
// live at the root of their host), with a default port dropped.
func parsePublicURL(s string) (*url.URL, error) {
	u, err := parseHTTPURL(s)
	if err != nil {
		return nil, err
	}
	if u.Path != "" {
		return nil, fmt.Errorf("%q: the public URL must not have a path", s)
	}
	if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		u.Host = u.Hostname()
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// defaultDataDir follows the XDG base directory spec: $XDG_DATA_HOME/hearth
// if XDG_DATA_HOME is an absolute path, else $HOME/.local/share/hearth.
func defaultDataDir(env map[string]string) (string, error) {
	if x := env["XDG_DATA_HOME"]; filepath.IsAbs(x) {
		return filepath.Join(x, "hearth"), nil
	}
	if home := env["HOME"]; home != "" {
		return filepath.Join(home, ".local", "share", "hearth"), nil
	}
	return "", errors.New("no default: neither XDG_DATA_HOME nor HOME is set")
}

// parseDB accepts sqlite://<file path> and postgres:// or postgresql://
// URLs. For SQLite everything after "sqlite://" is a file path taken
// literally (no percent-decoding), so sqlite:///var/lib/hearth.db is absolute
// and sqlite://hearth.db is relative to the working directory.
func parseDB(s string) (DB, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return DB{}, fmt.Errorf("%q is not a database URL; use sqlite://<path> or postgres://…", redactRaw(s))
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		if rest == "" || strings.ContainsAny(rest, "?#") {
			return DB{}, fmt.Errorf("%q: want sqlite://<file path>, with no ?query or #fragment", s)
		}
		return DB{Driver: DriverSQLite, Path: filepath.Clean(rest)}, nil
	case "postgres", "postgresql":
		u, err := url.Parse(s)
		if err != nil {
			return DB{}, fmt.Errorf("%q is not a valid PostgreSQL URL", redactRaw(s))
		}
		return DB{Driver: DriverPostgres, URL: u}, nil
	}
	return DB{}, fmt.Errorf("%q has unknown scheme %q; use sqlite://<path> or postgres://…", redactRaw(s), scheme)
}

// parseURLList splits a comma-separated list of http(s) URLs; empty is
// an empty list.
func parseURLList(s string) ([]*url.URL, error) {
	var out []*url.URL
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		u, err := parseHTTPURL(item)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func parseSMTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("%q is not an smtp:// or smtps:// URL", redactRaw(s))
	}
	if err := checkPort(u); err != nil {
		return nil, fmt.Errorf("%q: %w", redactRaw(s), err)
	}
	return u, nil
}

// redactRaw masks the user info of a URL-like string that may not parse, so
// an error never repeats a password: "x://user:pw@host" → "x://xxxxx@host".
func redactRaw(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return scheme + "://xxxxx" + rest[at:]
	}
	return s
}
