package xrpc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestBadInputProxy: createReport, the preferences and the proxy fallback
// refuse bad credentials and malformed input with 4xx errors (or 501 for
// a method no service is configured for) before anything is forwarded.
func TestBadInputProxy(t *testing.T) {
	s := newSession(t)
	const report, put, get = "com.atproto.moderation.createReport", "app.bsky.actor.putPreferences", "app.bsky.actor.getPreferences"
	runBadCases(t, s, commonBodyCases(report, "user"))
	runBadCases(t, s, commonBodyCases(put, "user"))
	repoRef := `{"$type":"com.atproto.admin.defs#repoRef","did":"` + s.did + `"}`
	post := func(name, nsid, body string, code int, errName string) badCase {
		return badCase{name: name, method: "POST", nsid: nsid, body: body, auth: "user", status: code, errName: errName}
	}
	runBadCases(t, s, []badCase{
		{name: "no auth", method: "POST", nsid: report, body: "{}", status: 401, errName: "AuthRequired"},
		{name: "bad token", method: "POST", nsid: report, body: "{}", auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "refresh token", method: "POST", nsid: report, body: "{}", auth: "refresh", status: 401, errName: "InvalidToken"},
		post("missing reasonType", report, `{"subject":`+repoRef+`}`, 400, "InvalidRequest"),
		post("reasonType wrong type", report, `{"reasonType":5,"subject":`+repoRef+`}`, 400, "InvalidRequest"),
		post("missing subject", report, `{"reasonType":"com.atproto.moderation.defs#reasonSpam"}`, 400, "InvalidRequest"),
		post("subject not an object", report, `{"reasonType":"x","subject":[1]}`, 400, "InvalidRequest"),
		post("blob subject", report, `{"reasonType":"x","subject":{"$type":"com.atproto.admin.defs#repoBlobRef","did":"`+s.did+`","cid":"x"}}`, 400, "InvalidRequest"),
		post("repoRef bad did", report, `{"reasonType":"x","subject":{"$type":"com.atproto.admin.defs#repoRef","did":"nope"}}`, 400, "InvalidRequest"),
		post("strongRef bad uri", report, `{"reasonType":"x","subject":{"$type":"com.atproto.repo.strongRef","uri":"x","cid":"bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}}`, 400, "InvalidRequest"),
		post("reason too long", report, `{"reasonType":"x","reason":"`+strings.Repeat("a", 20001)+`","subject":`+repoRef+`}`, 400, "InvalidRequest"),

		{name: "no auth", method: "GET", nsid: get, status: 401, errName: "AuthRequired"},
		{name: "bad token", method: "GET", nsid: get, auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "POST on a query", method: "POST", nsid: get, body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "no auth", method: "POST", nsid: put, body: `{"preferences":[]}`, status: 401, errName: "AuthRequired"},
		post("missing preferences", put, `{}`, 400, "InvalidRequest"),
		post("preferences not a list", put, `{"preferences":{}}`, 400, "InvalidRequest"),
		post("preference not an object", put, `{"preferences":[1]}`, 400, "InvalidRequest"),
		post("preference without $type", put, `{"preferences":[{"enabled":true}]}`, 400, "InvalidRequest"),
		post("$type not a string", put, `{"preferences":[{"$type":5}]}`, 400, "InvalidRequest"),
		post("other namespace", put, `{"preferences":[{"$type":"com.example.pref"}]}`, 400, "InvalidRequest"),
		post("namespace prefix trick", put, `{"preferences":[{"$type":"app.bskyx.pref"}]}`, 400, "InvalidRequest"),

		{name: "unknown namespace", method: "GET", nsid: "com.example.nothing", auth: "user", status: 501, errName: "MethodNotImplemented"},
		{name: "protected method", method: "POST", nsid: "com.atproto.admin.updateAccountSigningKey", body: "{}", auth: "user", status: 400, errName: "InvalidToken"},
		{name: "protected method, any case", method: "GET", nsid: "com.atproto.ADMIN.getAccountInfo", auth: "user", status: 400, errName: "InvalidToken"},
		{name: "no auth", method: "GET", nsid: "app.bsky.feed.getTimeline", status: 401, errName: "AuthRequired"},
		{name: "bad token", method: "GET", nsid: "app.bsky.feed.getTimeline", auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "refresh token", method: "GET", nsid: "app.bsky.feed.getTimeline", auth: "refresh", status: 401, errName: "InvalidToken"},
		{name: "admin credentials", method: "GET", nsid: "app.bsky.feed.getTimeline", auth: "admin", status: 401, errName: "InvalidToken"},
	})
	runHeaderCases(t, s, []headerCase{
		{"bad proxy header", "GET", "app.bsky.feed.getTimeline", "did:plc:abc", 400, "InvalidRequest"},
		{"two fragments", "GET", "app.bsky.feed.getTimeline", "did:plc:abc#a#b", 400, "InvalidRequest"},
		{"not a DID", "GET", "app.bsky.feed.getTimeline", "nope#x", 400, "InvalidRequest"},
		{"unknown service DID", "GET", "app.bsky.feed.getTimeline", "did:plc:nobodynobodynobodynobody#bsky_appview", 400, "InvalidRequest"},
		{"no such service entry", "GET", "app.bsky.feed.getTimeline", "CALLER#bsky_appview", 400, "InvalidRequest"},
		{"unsupported HTTP method", "PUT", "app.bsky.feed.getTimeline", "", 400, "InvalidRequest"},
		{"bad header on createReport", "POST", report, "did:plc:abc", 400, "InvalidRequest"},
		{"bad header on getPreferences", "GET", get, "#x", 400, "InvalidRequest"},
	})
}

// headerCase is a call with an atproto-proxy header ("CALLER" stands for
// the session's DID).
type headerCase struct {
	name, method, nsid, proxyTo string
	status                      int
	errName                     string
}

func runHeaderCases(t *testing.T, s *session, cases []headerCase) {
	t.Helper()
	for _, c := range cases {
		var body io.Reader
		if c.method == "POST" {
			body = strings.NewReader(`{"reasonType":"x","subject":{"$type":"com.atproto.admin.defs#repoRef","did":"` + s.did + `"}}`)
		}
		req, err := http.NewRequest(c.method, s.pds.URL+"/xrpc/"+c.nsid, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.access)
		req.Header.Set("Content-Type", "application/json")
		if c.proxyTo != "" {
			req.Header.Set("Atproto-Proxy", strings.ReplaceAll(c.proxyTo, "CALLER", s.did))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != c.status || out["error"] != c.errName || out["message"] == "" {
			t.Errorf("%s %s (%s): got %d %v, want %d %s", c.method, c.nsid, c.name, resp.StatusCode, out, c.status, c.errName)
		}
	}
}
