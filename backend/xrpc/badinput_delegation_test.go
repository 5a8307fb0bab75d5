package xrpc_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"
)

// appPasswordSession opens a session of handle with a new app password.
func appPasswordSession(t *testing.T, s *session, handle string, privileged bool) string {
	t.Helper()
	c := atclient.NewAPIClient(s.pds.URL)
	c.Headers.Set("Authorization", "Bearer "+s.access)
	var ap struct {
		Password string `json:"password"`
	}
	name := map[bool]string{true: "privileged", false: "plain"}[privileged]
	if err := c.Post(context.Background(), "com.atproto.server.createAppPassword", map[string]any{"name": name, "privileged": privileged}, &ap); err != nil {
		t.Fatal(err)
	}
	var out struct {
		AccessJwt string `json:"accessJwt"`
	}
	err := atclient.NewAPIClient(s.pds.URL).Post(context.Background(), "com.atproto.server.createSession",
		map[string]any{"identifier": handle, "password": ap.Password}, &out)
	if err != nil {
		t.Fatal(err)
	}
	return out.AccessJwt
}

// TestBadInputDelegation: the dev.hearthpds.delegation methods refuse
// every credential but the account's own password session, and malformed
// or impossible input, with 4xx errors.
func TestBadInputDelegation(t *testing.T) {
	s := newSession(t) // carol
	daveDID, _ := account(t, s.pds, "dave.test")
	erinDID, erinAt := account(t, s.pds, "erin.test")
	procedures := []string{"addController", "updateController", "removeController"}
	queries := []string{"listControllers", "listControlledAccounts", "getAuditLog", "listPresets"}

	for _, p := range procedures {
		runBadCases(t, s, commonBodyCases(delegationNS+p, "user"))
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: delegationNS + p, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: delegationNS + p, body: "{}", auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "refresh token", method: "POST", nsid: delegationNS + p, body: "{}", auth: "refresh", status: 401, errName: "InvalidToken"},
			{name: "admin credentials", method: "POST", nsid: delegationNS + p, body: "{}", auth: "admin", status: 401, errName: "InvalidToken"},
			{name: "missing controller", method: "POST", nsid: delegationNS + p, body: `{}`, auth: "user", status: 400, errName: "InvalidRequest"},
			{name: "controller wrong type", method: "POST", nsid: delegationNS + p, body: `{"controller":5}`, auth: "user", status: 400, errName: "InvalidRequest"},
			{name: "controller not an identifier", method: "POST", nsid: delegationNS + p, body: `{"controller":"not a handle"}`, auth: "user", status: 400, errName: "InvalidRequest"},
			{name: "unknown handle", method: "POST", nsid: delegationNS + p, body: `{"controller":"nobody.test","preset":"viewer"}`, auth: "user", status: 400, errName: "ControllerNotFound"},
		})
	}
	for _, q := range queries {
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "GET", nsid: delegationNS + q, status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "GET", nsid: delegationNS + q, auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "POST on a query", method: "POST", nsid: delegationNS + q, body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		})
	}

	add := delegationNS + "addController"
	post := func(name, nsid, body string, status int, errName string) badCase {
		return badCase{name: name, method: "POST", nsid: nsid, body: body, auth: "user", status: status, errName: errName}
	}
	runBadCases(t, s, []badCase{
		post("self", add, `{"controller":"carol.test","preset":"owner"}`, 400, "SelfControl"),
		post("no rights", add, `{"controller":"dave.test"}`, 400, "InvalidScope"),
		post("preset and scope", add, `{"controller":"dave.test","preset":"viewer","scope":"atproto"}`, 400, "InvalidScope"),
		post("unknown preset", add, `{"controller":"dave.test","preset":"root"}`, 400, "UnknownPreset"),
		post("preset wrong type", add, `{"controller":"dave.test","preset":["owner"]}`, 400, "InvalidRequest"),
		post("scope without atproto", add, `{"controller":"dave.test","scope":"repo:*"}`, 400, "InvalidScope"),
		post("invalid scope token", add, `{"controller":"dave.test","scope":"atproto repo:* blob:nonsense"}`, 400, "InvalidScope"),
		post("delegation management in scope", add, `{"controller":"dave.test","scope":"atproto rpc:dev.hearthpds.delegation.addController?aud=*"}`, 400, "NotDelegable"),
		post("unknown DID", add, `{"controller":"`+nobody+`","preset":"viewer"}`, 400, "ControllerNotFound"),
		post("update of an unknown DID", delegationNS+"updateController", `{"controller":"`+nobody+`","preset":"viewer"}`, 400, "GrantNotFound"),
		post("remove of an unknown DID", delegationNS+"removeController", `{"controller":"`+nobody+`"}`, 400, "GrantNotFound"),
		post("update without grant", delegationNS+"updateController", `{"controller":"dave.test","preset":"viewer"}`, 400, "GrantNotFound"),
		post("remove without grant", delegationNS+"removeController", `{"controller":"dave.test"}`, 400, "GrantNotFound"),
	})
	// With carol controlled by dave: a duplicate, and both ways of going
	// two levels deep.
	runBadCases(t, s, []badCase{post("first grant", add, `{"controller":"dave.test","preset":"editor"}`, 200, "")})
	runBadCases(t, s, []badCase{
		post("duplicate", add, `{"controller":"`+daveDID+`","preset":"viewer"}`, 400, "GrantExists"),
		post("remove with rights", delegationNS+"removeController", `{"controller":"dave.test","preset":"viewer"}`, 400, "InvalidRequest"),
		post("update to delegation management", delegationNS+"updateController", `{"controller":"dave.test","scope":"atproto rpc:dev.hearthpds.delegation.removeController?aud=*"}`, 400, "NotDelegable"),
	})
	if status, out := call(t, s.pds, erinAt, add, nil, map[string]any{"controller": "carol.test", "preset": "viewer"}); status != 400 || out["error"] != "DelegationTooDeep" {
		t.Errorf("erin controlled by carol, who is controlled: %d %v", status, out)
	}
	if status, out := call(t, s.pds, erinAt, add, nil, map[string]any{"controller": "dave.test", "preset": "viewer"}); status != 200 {
		t.Errorf("erin controlled by dave, who controls carol: %d %v", status, out)
	}
	if status, out := call(t, s.pds, erinAt, add, nil, map[string]any{"controller": erinDID, "preset": "viewer"}); status != 400 || out["error"] != "SelfControl" {
		t.Errorf("erin controlling erin: %d %v", status, out)
	}

	get := func(name, query, errName string) badCase {
		return badCase{name: name, method: "GET", nsid: delegationNS + "getAuditLog", query: query, auth: "user", status: 400, errName: errName}
	}
	runBadCases(t, s, []badCase{
		get("limit zero", "limit=0", "InvalidRequest"),
		get("limit too big", "limit=101", "InvalidRequest"),
		get("limit not a number", "limit=x", "InvalidRequest"),
		get("unknown kind", "kinds=grant.add&kinds=nonsense", "InvalidRequest"),
		get("since not a datetime", "since=yesterday", "InvalidRequest"),
		get("malformed cursor", "cursor=abc", "InvalidRequest"),
		get("negative cursor", "cursor=-3", "InvalidRequest"),
		get("controller not an identifier", "controller="+url.QueryEscape("not a handle"), "InvalidRequest"),
		get("unknown controller handle", "controller=nobody.test", "ControllerNotFound"),
	})

	// App passwords, privileged or not, may not manage delegation.
	for _, privileged := range []bool{false, true} {
		token := appPasswordSession(t, s, "carol.test", privileged)
		for _, q := range queries {
			if status, out := call(t, s.pds, token, delegationNS+q, nil, nil); status != http.StatusForbidden || out["error"] != "InsufficientScope" {
				t.Errorf("%s with an app password (privileged %v): %d %v", q, privileged, status, out)
			}
		}
		for _, p := range procedures {
			if status, out := call(t, s.pds, token, delegationNS+p, nil, map[string]any{"controller": "erin.test", "preset": "viewer"}); status != http.StatusForbidden || out["error"] != "InsufficientScope" {
				t.Errorf("%s with an app password (privileged %v): %d %v", p, privileged, status, out)
			}
		}
	}
}
