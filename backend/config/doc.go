// Package config turns Hearth's command-line flags, HEARTH_* environment
// variables and optional TOML config file into one typed, validated [Config].
//
// Every setting can come from three places. A flag that was given wins over
// the environment variable, which wins over the config file, which wins over
// the default; an empty value counts as unset at every level. Several
// defaults are derived from other settings: the public URL from the listen
// address, the handle domains and service DID from the public URL's host, the
// database and master key paths from the data directory. The config file is
// read only when --config or HEARTH_CONFIG names it.
//
// Outside input is parsed here, at the edge: URLs become *url.URL, the
// database setting a [DB] with its driver, sizes bytes, durations
// time.Duration, the service DID an indigo syntax.DID. A malformed value, an
// unknown flag and an unknown config-file key are errors; each
// [SettingError] names the setting as its source spells it
// (`HEARTH_LISTEN: "abc" is not a host:port address`), and all bad settings
// are reported at once. An unknown HEARTH_* environment variable is only a
// warning, returned for the caller to log, because environments are shared
// with other tools and test harnesses (HEARTH_TEST_* is never warned about).
//
// Secrets stay out of output: the admin password is a [Secret], which prints
// as "[redacted]", and [Config.Redacted], [Config.LogValue] and [DB.String]
// mask the database and SMTP passwords. docs/configuration.md lists every
// setting; a test keeps its table in step with this package.
//
// The package only parses. It creates no directories, reads no key files and
// opens no database; it does not watch the file for changes either.
package config
