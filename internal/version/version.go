// Package version holds Hearth's version, set at build time with
// -ldflags "-X github.com/hearthpds/hearth/internal/version.Version=v1.2.3".
package version

// Version is Hearth's version ("dev" in development builds).
var Version = "dev"
