package xrpc_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBadInputLifecycle covers the account lifecycle methods: status,
// activation, deletion, service auth, reserved keys and importRepo.
func TestBadInputLifecycle(t *testing.T) {
	s := newSession(t)
	const ns = "com.atproto.server."
	for _, nsid := range []string{"deactivateAccount", "deleteAccount", "reserveSigningKey"} {
		auth := map[string]string{"deactivateAccount": "user"}[nsid]
		runBadCases(t, s, commonBodyCases(ns+nsid, auth))
	}
	exp := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).Unix(), 10) }
	svc := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	did := s.did
	del := func(body string) badCase {
		return badCase{method: "POST", nsid: ns + "deleteAccount", body: body, status: 400, errName: "InvalidRequest"}
	}
	named := func(c badCase, name string, status int, errName string) badCase {
		c.name, c.status, c.errName = name, status, errName
		return c
	}
	runBadCases(t, s, []badCase{
		{name: "status without auth", method: "GET", nsid: ns + "checkAccountStatus", status: 401, errName: "AuthRequired"},
		{name: "status bad token", method: "GET", nsid: ns + "checkAccountStatus", auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "status POST", method: "POST", nsid: ns + "checkAccountStatus", body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "activate without auth", method: "POST", nsid: ns + "activateAccount", status: 401, errName: "AuthRequired"},
		{name: "activate with refresh token", method: "POST", nsid: ns + "activateAccount", auth: "refresh", status: 401, errName: "InvalidToken"},
		{name: "activate GET", method: "GET", nsid: ns + "activateAccount", auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "deactivate without auth", method: "POST", nsid: ns + "deactivateAccount", body: "{}", status: 401, errName: "AuthRequired"},
		{name: "deactivate deleteAfter not a datetime", method: "POST", nsid: ns + "deactivateAccount", body: `{"deleteAfter":"soon"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "deactivate deleteAfter wrong type", method: "POST", nsid: ns + "deactivateAccount", body: `{"deleteAfter":5}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "delete request without auth", method: "POST", nsid: ns + "requestAccountDelete", status: 401, errName: "AuthRequired"},
		{name: "delete request without SMTP", method: "POST", nsid: ns + "requestAccountDelete", auth: "user", status: 501, errName: "EmailNotConfigured"},
		named(del(`{}`), "delete missing fields", 400, "InvalidRequest"),
		named(del(`{"did":"`+did+`","password":"x"}`), "delete missing token", 400, "InvalidRequest"),
		named(del(`{"did":"nope","password":"x","token":"AAAAA-BBBBB"}`), "delete bad did", 400, "InvalidRequest"),
		named(del(`{"did":5,"password":"x","token":"y"}`), "delete did wrong type", 400, "InvalidRequest"),
		named(del(`{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","password":"x","token":"AAAAA-BBBBB"}`), "delete unknown account", 400, "InvalidRequest"),
		named(del(`{"did":"`+did+`","password":"wrong","token":"AAAAA-BBBBB"}`), "delete wrong password", 401, "AuthenticationRequired"),
		named(del(`{"did":"`+did+`","password":"`+strings.Repeat("p", 300)+`","token":"AAAAA-BBBBB"}`), "delete huge password", 401, "AuthenticationRequired"),
		named(del(`{"did":"`+did+`","password":"a long enough password","token":"AAAAA-BBBBB"}`), "delete wrong token", 400, "InvalidToken"),
		named(del(`{"did":"`+did+`","password":"a long enough password","token":"not a token"}`), "delete malformed token", 400, "InvalidToken"),
		{name: "service auth without auth", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com"), status: 401, errName: "AuthRequired"},
		{name: "service auth POST", method: "POST", nsid: ns + "getServiceAuth", body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "service auth missing aud", method: "GET", nsid: ns + "getServiceAuth", auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth aud not a DID", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "example.com"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth aud empty fragment", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com#"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth aud too long", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:"+strings.Repeat("a", 2100)), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth bad lxm", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "lxm", "not an nsid"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth exp not a number", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "exp", "soon"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth exp huge", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "exp", "99999999999999999999"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "service auth exp in the past", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "lxm", "app.bsky.feed.getTimeline", "exp", exp(-time.Minute)), auth: "user", status: 400, errName: "BadExpiration"},
		{name: "service auth exp in two hours", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "lxm", "app.bsky.feed.getTimeline", "exp", exp(2*time.Hour)), auth: "user", status: 400, errName: "BadExpiration"},
		{name: "service auth method-less for five minutes", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "exp", exp(5*time.Minute)), auth: "user", status: 400, errName: "BadExpiration"},
		{name: "service auth protected method", method: "GET", nsid: ns + "getServiceAuth", query: svc("aud", "did:web:x.example.com", "lxm", "com.atproto.identity.signPlcOperation"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "reserve did not a DID", method: "POST", nsid: ns + "reserveSigningKey", body: `{"did":"alice"}`, status: 400, errName: "InvalidRequest"},
		{name: "reserve did wrong type", method: "POST", nsid: ns + "reserveSigningKey", body: `{"did":["x"]}`, status: 400, errName: "InvalidRequest"},
		{name: "create with did, no auth", method: "POST", nsid: ns + "createAccount", body: `{"handle":"zed.test","password":"long enough pw","did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}`, status: 401, errName: "AuthRequired"},
		{name: "create with an access token as service auth", method: "POST", nsid: ns + "createAccount", body: `{"handle":"zed.test","password":"long enough pw","did":"` + did + `"}`, auth: "user", status: 401, errName: "BadJwt"},
		{name: "create with garbage bearer", method: "POST", nsid: ns + "createAccount", body: `{"handle":"zed.test","password":"long enough pw"}`, auth: "bad", status: 401, errName: "BadJwt"},
		{name: "create with plcOp", method: "POST", nsid: ns + "createAccount", body: `{"handle":"zed.test","password":"long enough pw","plcOp":{}}`, status: 400, errName: "InvalidRequest"},
	})
	runBadCases(t, s, importCases())
	// The missing-mailer error names the setting an operator must set.
	if _, out := s.do(t, badCase{method: "POST", nsid: ns + "requestAccountDelete", auth: "user"}); !strings.Contains(out["message"], "HEARTH_SMTP_URL") {
		t.Errorf("no-SMTP message %q does not name HEARTH_SMTP_URL", out["message"])
	}
}

func importCases() []badCase {
	const nsid = "com.atproto.repo.importRepo"
	car := "application/vnd.ipld.car"
	return []badCase{
		{name: "import without auth", method: "POST", nsid: nsid, body: "x", ctype: car, status: 401, errName: "AuthRequired"},
		{name: "import GET", method: "GET", nsid: nsid, auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "import JSON body", method: "POST", nsid: nsid, body: "{}", auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "import empty CAR", method: "POST", nsid: nsid, ctype: car, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "import garbage CAR", method: "POST", nsid: nsid, body: "\x0anot a car at all", ctype: car, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "import huge header length", method: "POST", nsid: nsid, body: "\xff\xff\xff\xff\x0f", ctype: car, auth: "user", status: 400, errName: "InvalidRequest"},
	}
}

// TestBadInputIdentityOps covers the identity methods beyond resolveHandle.
func TestBadInputIdentityOps(t *testing.T) {
	s := newSession(t)
	const ns = "com.atproto.identity."
	for _, nsid := range []string{"updateHandle", "signPlcOperation", "submitPlcOperation", "refreshIdentity"} {
		auth := map[string]string{"updateHandle": "user", "signPlcOperation": "user", "submitPlcOperation": "user"}[nsid]
		runBadCases(t, s, commonBodyCases(ns+nsid, auth))
	}
	post := func(nsid, body string) badCase {
		return badCase{method: "POST", nsid: ns + nsid, body: body, auth: "user", status: 400, errName: "InvalidRequest"}
	}
	named := func(c badCase, name string, status int, errName string) badCase {
		c.name, c.status, c.errName = name, status, errName
		return c
	}
	runBadCases(t, s, []badCase{
		{name: "update handle without auth", method: "POST", nsid: ns + "updateHandle", body: `{"handle":"x.test"}`, status: 401, errName: "AuthRequired"},
		named(post("updateHandle", `{}`), "update handle missing", 400, "InvalidRequest"),
		named(post("updateHandle", `{"handle":7}`), "update handle wrong type", 400, "InvalidRequest"),
		named(post("updateHandle", `{"handle":"not a handle"}`), "update handle malformed", 400, "InvalidHandle"),
		named(post("updateHandle", `{"handle":"ab.test"}`), "update handle too short", 400, "InvalidHandle"),
		named(post("updateHandle", `{"handle":"admin.test"}`), "update handle reserved", 400, "HandleNotAvailable"),
		named(post("updateHandle", `{"handle":"carol.local"}`), "update handle disallowed TLD", 400, "InvalidHandle"),
		{name: "credentials without auth", method: "GET", nsid: ns + "getRecommendedDidCredentials", status: 401, errName: "AuthRequired"},
		{name: "credentials POST", method: "POST", nsid: ns + "getRecommendedDidCredentials", body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "plc signature request without auth", method: "POST", nsid: ns + "requestPlcOperationSignature", status: 401, errName: "AuthRequired"},
		{name: "plc signature request without SMTP", method: "POST", nsid: ns + "requestPlcOperationSignature", auth: "user", status: 501, errName: "EmailNotConfigured"},
		named(post("signPlcOperation", `{}`), "sign without token", 400, "InvalidRequest"),
		named(post("signPlcOperation", `{"token":"AAAAA-BBBBB"}`), "sign wrong token", 400, "InvalidToken"),
		named(post("signPlcOperation", `{"token":"AAAAA-BBBBB","verificationMethods":["x"]}`), "sign verificationMethods wrong type", 400, "InvalidRequest"),
		named(post("signPlcOperation", `{"token":"AAAAA-BBBBB","services":{"atproto_pds":"x"}}`), "sign services wrong type", 400, "InvalidRequest"),
		named(post("signPlcOperation", `{"token":"AAAAA-BBBBB","rotationKeys":"x"}`), "sign rotationKeys wrong type", 400, "InvalidRequest"),
		{name: "sign without auth", method: "POST", nsid: ns + "signPlcOperation", body: `{"token":"x"}`, status: 401, errName: "AuthRequired"},
		named(post("submitPlcOperation", `{}`), "submit missing operation", 400, "InvalidRequest"),
		named(post("submitPlcOperation", `{"operation":null}`), "submit null operation", 400, "InvalidRequest"),
		named(post("submitPlcOperation", `{"operation":"x"}`), "submit operation a string", 400, "InvalidRequest"),
		named(post("submitPlcOperation", `{"operation":{"type":"plc_operation"}}`), "submit empty operation", 400, "InvalidRequest"),
		named(post("submitPlcOperation", `{"operation":{"type":"plc_tombstone","prev":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm","sig":"x"}}`), "submit tombstone", 400, "InvalidRequest"),
		{name: "submit without auth", method: "POST", nsid: ns + "submitPlcOperation", body: `{"operation":{}}`, status: 401, errName: "AuthRequired"},
		{name: "resolveDid missing", method: "GET", nsid: ns + "resolveDid", status: 400, errName: "InvalidRequest"},
		{name: "resolveDid malformed", method: "GET", nsid: ns + "resolveDid", query: "did=nope", status: 400, errName: "InvalidRequest"},
		{name: "resolveDid unknown", method: "GET", nsid: ns + "resolveDid", query: "did=did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", status: 400, errName: "DidNotFound"},
		{name: "resolveIdentity missing", method: "GET", nsid: ns + "resolveIdentity", status: 400, errName: "InvalidRequest"},
		{name: "resolveIdentity malformed", method: "GET", nsid: ns + "resolveIdentity", query: "identifier=-nope-", status: 400, errName: "InvalidRequest"},
		{name: "resolveIdentity unknown DID", method: "GET", nsid: ns + "resolveIdentity", query: "identifier=did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", status: 400, errName: "DidNotFound"},
		{name: "resolveIdentity unknown handle", method: "GET", nsid: ns + "resolveIdentity", query: "identifier=nobody.test", status: 400, errName: "HandleNotFound"},
		{name: "refreshIdentity missing", method: "POST", nsid: ns + "refreshIdentity", body: `{}`, status: 400, errName: "InvalidRequest"},
		{name: "refreshIdentity malformed", method: "POST", nsid: ns + "refreshIdentity", body: `{"identifier":"-x-"}`, status: 400, errName: "InvalidRequest"},
		{name: "refreshIdentity wrong type", method: "POST", nsid: ns + "refreshIdentity", body: `{"identifier":1}`, status: 400, errName: "InvalidRequest"},
	})
}
