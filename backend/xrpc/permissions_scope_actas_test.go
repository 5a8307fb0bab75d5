package xrpc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/xrpc"
	"github.com/hearthpds/hearth/internal/oauthtest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestEveryMethodDeclaresPermissions walks the real server's router: every
// method that authenticates users declares what it needs (a new route
// cannot skip scopes), and the table names no method that is not served.
func TestEveryMethodDeclaresPermissions(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	rt := pds.Server.Router()
	if missing := rt.Undeclared(); len(missing) > 0 {
		t.Errorf("methods that authenticate users but declare no permission (add them to permissions.go): %v", missing)
	}
	for _, nsid := range xrpc.Declared() {
		if !rt.Has(nsid) {
			t.Errorf("permissions.go declares %s, which the server does not register", nsid)
		}
	}
}

// TestActAsRules is issue 7's acceptance 4 for every method a controller
// may never call: with a real act-as token from the token exchange, whose
// scope holds every right (identity:*, account management, rpc:*), a
// controller acting as the account is refused identity changes, account
// management, app passwords and delegation management, each with 403
// InsufficientScope and the DPoP challenge; the account's own OAuth token
// with the same scope is not. Its write lands in the account's repo and its
// audit log, naming the controller and the client.
func TestActAsRules(t *testing.T) { testdb.RunURL(t, testActAsRules) }

func testActAsRules(t *testing.T, dbURL func(testing.TB) string) {
	f := startScopeFixture(t, dbURL(t))
	st, bob := f.legacy("", "com.atproto.server.createAccount", nil, "", map[string]any{
		"handle": "bob.test", "email": "bob@example.com", "password": scopePassword,
	})
	if st != http.StatusOK {
		t.Fatalf("createAccount bob: %d %v", st, bob)
	}
	bobDID := bob["did"].(string)
	all := []string{"repo:*?action=create", "blob:*/*", "identity:*", "account:email?action=manage",
		"account:repo?action=manage", "account:status?action=manage", "rpc:*?aud=did:web:example.com%23svc"}
	if st, out := f.legacy(f.access, "dev.hearthpds.delegation.addController", nil, "",
		map[string]any{"controller": bobDID, "scope": "atproto " + strings.Join(all, " ")}); st != http.StatusOK {
		t.Fatalf("addController: %d %v", st, out)
	}
	srv := oauthtest.Server{URL: f.pds.URL, PLCURL: f.pds.PLCURL}
	actAs, _ := srv.ActAs(t, bob["accessJwt"].(string), f.pds.Server.Config().ServiceDID.String(), f.alice.DID,
		"atproto "+strings.Join(all, " "))
	own := f.session(t, all...)

	r := oauthtest.Call(t, actAs, "com.atproto.repo.createRecord", nil, "", f.post("app.bsky.feed.post"))
	ok(t, "controller creates a post", r)
	uri, _ := r.Body["uri"].(string)
	rkey := uri[strings.LastIndex(uri, "/")+1:]
	if !strings.HasPrefix(uri, "at://"+f.alice.DID.String()+"/") {
		t.Errorf("the write landed at %s, not in the account's repo", uri)
	}
	cases := []struct {
		nsid  string
		query url.Values
		body  any
	}{
		{"com.atproto.identity.updateHandle", nil, map[string]any{"handle": "taken-over.test"}},
		{"com.atproto.identity.signPlcOperation", nil, map[string]any{}},
		{"com.atproto.identity.getRecommendedDidCredentials", nil, nil},
		{"com.atproto.server.updateEmail", nil, map[string]any{"email": "bob@example.com"}},
		{"com.atproto.server.requestEmailUpdate", nil, map[string]any{}},
		{"com.atproto.server.deactivateAccount", nil, map[string]any{}},
		{"com.atproto.repo.importRepo", nil, map[string]any{}},
		{"com.atproto.server.createAppPassword", nil, map[string]any{"name": "bob's"}},
		{"com.atproto.server.listAppPasswords", nil, nil},
		{"com.atproto.server.requestAccountDelete", nil, map[string]any{}},
		{"dev.hearthpds.delegation.listControllers", nil, nil},
		{"dev.hearthpds.delegation.addController", nil, map[string]any{"controller": "did:plc:eveeveeveeveeveeveeveeve", "preset": "owner"}},
		{"com.atproto.server.getServiceAuth", url.Values{"aud": {"did:web:example.com#svc"}, "lxm": {"dev.hearthpds.delegation.addController"}}, nil},
	}
	for _, c := range cases {
		refused(t, "controller calls "+c.nsid, oauthtest.Call(t, actAs, c.nsid, c.query, "", c.body), "controller")
	}
	// The same scope without an actor is the account's own: allowed.
	ok(t, "own token: getRecommendedDidCredentials", oauthtest.Call(t, own, "com.atproto.identity.getRecommendedDidCredentials", nil, "", nil))
	ok(t, "own token: updateEmail", oauthtest.Call(t, own, "com.atproto.server.updateEmail", nil, "", map[string]any{"email": "alice3@example.com"}))
	ok(t, "own token: getServiceAuth", oauthtest.Call(t, own, "com.atproto.server.getServiceAuth",
		url.Values{"aud": {"did:web:example.com#svc"}, "lxm": {"app.bsky.feed.getTimeline"}}, "", nil))
	ok(t, "own token: create a post", oauthtest.Call(t, own, "com.atproto.repo.createRecord", nil, "", f.post("app.bsky.feed.post")))

	// Exactly one write row: the controller's, naming it and the client.
	st, log := f.legacy(f.access, "dev.hearthpds.delegation.getAuditLog", url.Values{"kinds": {"write"}}, "", nil)
	entries, _ := log["entries"].([]any)
	if st != http.StatusOK || len(entries) != 1 {
		t.Fatalf("audit log: %d %v, want one write", st, log)
	}
	e := entries[0].(map[string]any)
	d, _ := e["detail"].(map[string]any)
	if e["controller"] != bobDID || e["actor"] != bobDID || d["clientId"] != actAs.Config.ClientID || d["collection"] != "app.bsky.feed.post" ||
		d["rkey"] != rkey || d["action"] != "create" || d["method"] != "com.atproto.repo.createRecord" {
		t.Errorf("audit entry = %v", e)
	}
}

// TestActAsRealToken is acceptance 4 with a real act-as token from the
// server's token exchange: bob controls alice under a grant of
// repo:app.bsky.feed.post?action=create (plus identity and account rights a
// controller may never use) and asks for repo:*; he may create posts, not
// delete them nor write another collection, and identity changes, account
// management and delegation management are refused; his write is audited.
func TestActAsRealToken(t *testing.T) { testdb.RunURL(t, testActAsRealToken) }

func testActAsRealToken(t *testing.T, dbURL func(testing.TB) string) {
	f := startScopeFixture(t, dbURL(t))
	st, bob := f.legacy("", "com.atproto.server.createAccount", nil, "", map[string]any{
		"handle": "bob.test", "email": "bob@example.com", "password": scopePassword,
	})
	if st != http.StatusOK {
		t.Fatalf("createAccount bob: %d %v", st, bob)
	}
	bobDID := bob["did"].(string)
	const grant = "atproto repo:app.bsky.feed.post?action=create identity:* account:email?action=manage"
	if st, out := f.legacy(f.access, "dev.hearthpds.delegation.addController", nil, "",
		map[string]any{"controller": bobDID, "scope": grant}); st != http.StatusOK {
		t.Fatalf("addController: %d %v", st, out)
	}
	srv := oauthtest.Server{URL: f.pds.URL, PLCURL: f.pds.PLCURL}
	s, scope := srv.ActAs(t, bob["accessJwt"].(string), f.pds.Server.Config().ServiceDID.String(), f.alice.DID,
		"atproto repo:* identity:* account:email?action=manage")
	if strings.Contains(scope, "repo:*") || !strings.Contains(scope, "repo:app.bsky.feed.post?action=create") {
		t.Fatalf("exchanged scope %q is not requested ∩ grant", scope)
	}

	r := oauthtest.Call(t, s, "com.atproto.repo.createRecord", nil, "", f.post("app.bsky.feed.post"))
	ok(t, "controller creates a post", r)
	uri, _ := r.Body["uri"].(string)
	rkey := uri[strings.LastIndex(uri, "/")+1:]
	refused(t, "controller deletes it", oauthtest.Call(t, s, "com.atproto.repo.deleteRecord", nil, "",
		map[string]any{"repo": f.alice.DID.String(), "collection": "app.bsky.feed.post", "rkey": rkey}), "action=delete")
	refused(t, "controller writes another collection", oauthtest.Call(t, s, "com.atproto.repo.createRecord", nil, "", f.post("app.bsky.feed.like")),
		"repo:app.bsky.feed.like?action=create")
	refused(t, "controller changes the handle", oauthtest.Call(t, s, "com.atproto.identity.updateHandle", nil, "",
		map[string]any{"handle": "taken.test"}), "controller")
	refused(t, "controller changes the email", oauthtest.Call(t, s, "com.atproto.server.updateEmail", nil, "",
		map[string]any{"email": "bob@example.com"}), "controller")
	refused(t, "controller manages delegation", oauthtest.Call(t, s, "dev.hearthpds.delegation.addController", nil, "",
		map[string]any{"controller": "did:plc:eveeveeveeveeveeveeveeve", "preset": "owner"}), "controller")
	refused(t, "controller calls the AppView without rpc:", oauthtest.Call(t, s, "app.bsky.feed.getTimeline", nil, "", nil),
		"rpc:app.bsky.feed.getTimeline")
	if calls := f.appView.Calls(); len(calls) != 0 {
		t.Errorf("the AppView received %v", calls)
	}

	st, log := f.legacy(f.access, "dev.hearthpds.delegation.getAuditLog", url.Values{"kinds": {"write"}}, "", nil)
	entries, _ := log["entries"].([]any)
	if st != http.StatusOK || len(entries) != 1 {
		t.Fatalf("audit log: %d %v, want one write", st, log)
	}
	e := entries[0].(map[string]any)
	d, _ := e["detail"].(map[string]any)
	if e["actor"] != bobDID || d["rkey"] != rkey || d["action"] != "create" || d["clientId"] != s.Config.ClientID {
		t.Errorf("audit entry = %v", e)
	}
}
