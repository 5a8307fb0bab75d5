package config

// SettingError reports a malformed value for one setting, or a default that
// could not be derived. [Load] and [FromFlags] join one per bad setting.
type SettingError struct {
	// Setting identifies the setting by its environment variable, e.g.
	// "HEARTH_LISTEN", whichever source the value came from.
	Setting string
	// Source is how the value's source names the setting: "HEARTH_LISTEN",
	// "--listen" or "listen (in /etc/hearth.toml)".
	Source string
	// Err describes the problem; it quotes the value, with any password
	// masked.
	Err error
}

// Error returns "<source>: <problem>", e.g.
// `HEARTH_LISTEN: "abc" is not a host:port address`.
func (e *SettingError) Error() string { return e.Source + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *SettingError) Unwrap() error { return e.Err }
