package xrpc

import (
	"errors"
	"net/http"
	"testing"

	"github.com/hearthpds/hearth/backend/auth"
)

// TestRequireOwner: only the account acting for itself with its full rights
// manages delegation; an act-as token never does, whatever its scope. (The
// HTTP tests cover legacy sessions end to end; OAuth viewers are built here
// until act-as tokens can be issued in tests.)
func TestRequireOwner(t *testing.T) {
	const did = "did:plc:carol0000000000000000000"
	manage := "atproto account:email?action=manage account:repo?action=manage account:status?action=manage"
	cases := []struct {
		name string
		v    *Viewer
		ok   bool
	}{
		{"password session", &Viewer{DID: did, Scope: string(auth.ScopeAccess), Privileged: true}, true},
		{"oauth with account:*?action=manage", &Viewer{DID: did, OAuth: true, Scope: "atproto account:*?action=manage"}, true},
		{"oauth with every attribute managed", &Viewer{DID: did, OAuth: true, Scope: manage + " repo:*"}, true},
		{"no viewer", nil, false},
		{"app password", &Viewer{DID: did, Scope: string(auth.ScopeAppPass), AppPasswordName: "(app password)"}, false},
		{"privileged app password", &Viewer{DID: did, Scope: string(auth.ScopeAppPassPrivileged), AppPasswordName: "(app password)", Privileged: true}, false},
		{"service auth", &Viewer{DID: did, Service: true}, false},
		{"admin", &Viewer{Admin: true}, false},
		{"oauth without manage", &Viewer{DID: did, OAuth: true, Scope: "atproto repo:* account:email?action=manage"}, false},
		{"oauth with status read", &Viewer{DID: did, OAuth: true, Scope: "atproto account:*?action=read"}, false},
		{"oauth with transition:generic", &Viewer{DID: did, OAuth: true, Scope: "atproto transition:generic transition:chat.bsky transition:email"}, false},
		{"oauth with an unparsable scope", &Viewer{DID: did, OAuth: true, Scope: "account:*?action=manage"}, false},
		{"oauth claiming the legacy scope", &Viewer{DID: did, OAuth: true, Scope: string(auth.ScopeAccess)}, false},
		{"act-as with the owner preset", &Viewer{DID: did, OAuth: true, Actor: "did:plc:dave0000000000000000000000",
			Scope: "atproto repo:* blob:*/* identity:* account:*?action=manage"}, false},
		{"act-as with an rpc grant of the method", &Viewer{DID: did, OAuth: true, Actor: "did:plc:dave0000000000000000000000",
			Scope: "atproto account:*?action=manage rpc:dev.hearthpds.delegation.addController?aud=*"}, false},
	}
	for _, c := range cases {
		err := requireOwner(c.v)
		if c.ok != (err == nil) {
			t.Errorf("%s: requireOwner = %v", c.name, err)
			continue
		}
		var e *Error
		if err != nil && (!errors.As(err, &e) || (e.Status != http.StatusForbidden && e.Status != http.StatusUnauthorized)) {
			t.Errorf("%s: error %v is not a 401/403", c.name, err)
		}
	}
}
