// Package app is what Hearth's desktop window binds to: thin methods over
// the backend services. An [App] unlocks the master key (OS keychain, or a
// passphrase-wrapped file when there is none), starts the embedded PDS
// (SQLite in the user's data directory, loopback only), creates or brings
// the owner's account, and serves the window's pages: home (status and
// logs), the repository browser, settings.
//
// Every exported method of *App is a binding the window calls (Wails
// generates frontend/wailsjs from them); they return plain structs and
// errors whose message is in the user's words with the XRPC error name in
// brackets ("The record does not match its lexicon: ... (InvalidRecord)").
// [Bridge] serves the same methods over loopback HTTP, with the
// built frontend, for browser tests.
//
// Nothing under backend/ imports this package.
package app
