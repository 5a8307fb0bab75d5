// Package app is what Hearth's desktop window binds to: thin methods over
// the backend services (start and stop the embedded PDS, browse the repo,
// settings). It holds no logic of its own; the desktop issue fills it in.
// Nothing under backend/ imports this package.
package app
