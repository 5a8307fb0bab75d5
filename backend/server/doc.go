// Package server assembles a running PDS from its configuration: it opens
// the store, loads the master key, builds the services (accounts, repo
// engine, tokens, identity) and the HTTP handler, and serves until its
// context ends. Both `hearth serve` and the desktop app start Hearth
// through it.
package server
