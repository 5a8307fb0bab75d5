package auth

import "github.com/hearthpds/hearth/backend/store"

// Scope is the "scope" claim of a legacy (non-OAuth) session token, as the
// reference PDS issues it.
type Scope string

// Scopes. An access token carries one of the first three; a refresh token
// always carries ScopeRefresh.
const (
	// ScopeAccess: a full session, from the account password.
	ScopeAccess Scope = "com.atproto.access"
	// ScopeAppPassPrivileged: a session from a privileged app password
	// (may also use chat and other privileged routes).
	ScopeAppPassPrivileged Scope = "com.atproto.appPassPrivileged"
	// ScopeAppPass: a session from an ordinary app password.
	ScopeAppPass Scope = "com.atproto.appPass"
	// ScopeRefresh: a refresh token.
	ScopeRefresh Scope = "com.atproto.refresh"
)

// ScopeFor returns the access scope of a session opened with app password ap
// (nil for the account password).
func ScopeFor(ap *store.AppPassword) Scope {
	switch {
	case ap == nil:
		return ScopeAccess
	case ap.Privileged:
		return ScopeAppPassPrivileged
	default:
		return ScopeAppPass
	}
}

// IsAccess reports whether s is one of the access scopes.
func (s Scope) IsAccess() bool {
	return s == ScopeAccess || s == ScopeAppPassPrivileged || s == ScopeAppPass
}

// Privileged reports whether s allows privileged routes: a full session or a
// privileged app password.
func (s Scope) Privileged() bool {
	return s == ScopeAccess || s == ScopeAppPassPrivileged
}
