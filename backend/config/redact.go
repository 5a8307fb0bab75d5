package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// String returns the DB URL with any password masked.
func (d DB) String() string {
	switch d.Driver {
	case DriverSQLite:
		return "sqlite://" + d.Path
	case DriverPostgres:
		return redactedURL(d.URL)
	}
	return ""
}

// GoString returns the same as String, so %#v does not reveal the password.
func (d DB) GoString() string { return d.String() }

// LogValue implements slog.LogValuer with the redacted URL.
func (d DB) LogValue() slog.Value { return slog.StringValue(d.String()) }

// LogValue implements slog.LogValuer: a group with one attribute per
// setting, keyed by its config file key, secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(settings)+1)
	if c.File != "" {
		attrs = append(attrs, slog.String("config", c.File))
	}
	for _, s := range settings {
		attrs = append(attrs, slog.String(s.key, s.show(&c)))
	}
	return slog.GroupValue(attrs...)
}

// Redacted returns the effective configuration as config file text, one
// "key = value" line per setting, with the admin password left out and the
// database and SMTP passwords masked. It is safe to print and log.
func (c Config) Redacted() string {
	var b strings.Builder
	if c.File != "" {
		fmt.Fprintf(&b, "# read from %s\n", c.File)
	}
	for _, s := range settings {
		v := s.show(&c)
		switch {
		case v == "":
			fmt.Fprintf(&b, "# %s is unset\n", s.key)
		case v == redacted:
			fmt.Fprintf(&b, "# %s is set (redacted)\n", s.key)
		case s.boolean || isDigits(v):
			fmt.Fprintf(&b, "%s = %s\n", s.key, v)
		default:
			fmt.Fprintf(&b, "%s = %s\n", s.key, tomlQuote(v))
		}
	}
	return b.String()
}

// String returns Redacted, so printing a Config never reveals a secret.
func (c Config) String() string { return c.Redacted() }

// GoString returns Redacted too, for %#v.
func (c Config) GoString() string { return c.Redacted() }

// isDigits reports whether v can be written as a bare TOML integer.
func isDigits(v string) bool {
	return strings.Trim(v, "0123456789") == "" && !strings.HasPrefix(v, "0")
}

// tomlQuote writes s as a TOML basic string.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// redactedURL masks the password in u's user info and in any query
// parameter whose name contains "password" (PostgreSQL accepts both).
func redactedURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	q := u.Query()
	masked := false
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
			masked = true
		}
	}
	if !masked {
		return u.Redacted()
	}
	v := *u
	v.RawQuery = q.Encode()
	return v.Redacted()
}

func urlListString(us []*url.URL) string {
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
