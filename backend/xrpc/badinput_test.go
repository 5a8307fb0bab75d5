package xrpc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"

	"github.com/hearthpds/hearth/internal/testpds"
)

// badCase is one malformed request and the XRPC error it must get.
type badCase struct {
	name    string
	method  string // GET or POST
	nsid    string
	query   string // raw query string
	body    string // POST body
	ctype   string // default application/json for POST
	auth    string // "user", "refresh", "admin", "bad", "none"
	status  int
	errName string
}

// session holds a logged-in test account.
type session struct {
	pds             *testpds.PDS
	did             string
	access, refresh string
}

func newSession(t *testing.T) *session {
	t.Helper()
	pds := testpds.Start(t, testpds.Options{})
	anon := atclient.NewAPIClient(pds.URL)
	var out struct {
		DID        string `json:"did"`
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
	}
	err := anon.Post(context.Background(), "com.atproto.server.createAccount",
		map[string]any{"handle": "carol.test", "password": "a long enough password", "email": "carol@example.com"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	return &session{pds: pds, did: out.DID, access: out.AccessJwt, refresh: out.RefreshJwt}
}

func (s *session) do(t *testing.T, c badCase) (int, map[string]string) {
	t.Helper()
	u := s.pds.URL + "/xrpc/" + c.nsid
	if c.query != "" {
		u += "?" + c.query
	}
	var body io.Reader
	if c.method == http.MethodPost {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.method == http.MethodPost {
		ct := c.ctype
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch c.auth {
	case "user":
		req.Header.Set("Authorization", "Bearer "+s.access)
	case "refresh":
		req.Header.Set("Authorization", "Bearer "+s.refresh)
	case "admin":
		req.SetBasicAuth("admin", testpds.AdminPassword)
	case "bad":
		req.Header.Set("Authorization", "Bearer not.a.jwt")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode >= 400 && (out["error"] == "" || out["message"] == "") {
		t.Errorf("%s: error body %q lacks error/message", c.name, raw)
	}
	return resp.StatusCode, out
}

func runBadCases(t *testing.T, s *session, cases []badCase) {
	t.Helper()
	for _, c := range cases {
		status, out := s.do(t, c)
		if status != c.status || out["error"] != c.errName {
			t.Errorf("%s %s (%s): got %d %q (%s), want %d %s", c.method, c.nsid, c.name, status, out["error"], out["message"], c.status, c.errName)
		}
		if status >= 500 && status != http.StatusNotImplemented {
			t.Errorf("%s: server error %d", c.name, status)
		}
	}
}

// commonBodyCases are the malformed bodies every JSON procedure refuses.
func commonBodyCases(nsid, auth string) []badCase {
	return []badCase{
		{name: "bad JSON", method: "POST", nsid: nsid, body: "{", auth: auth, status: 400, errName: "InvalidRequest"},
		{name: "not an object", method: "POST", nsid: nsid, body: "[1,2]", auth: auth, status: 400, errName: "InvalidRequest"},
		{name: "empty body", method: "POST", nsid: nsid, body: "", auth: auth, status: 400, errName: "InvalidRequest"},
		{name: "trailing data", method: "POST", nsid: nsid, body: "{} {}", auth: auth, status: 400, errName: "InvalidRequest"},
		{name: "wrong content type", method: "POST", nsid: nsid, body: "{}", ctype: "text/plain", auth: auth, status: 400, errName: "InvalidRequest"},
		{name: "oversize body", method: "POST", nsid: nsid, body: `{"x":"` + strings.Repeat("a", 5<<20) + `"}`, auth: auth, status: 413, errName: "PayloadTooLarge"},
		{name: "GET on a procedure", method: "GET", nsid: nsid, auth: auth, status: 405, errName: "InvalidRequest"},
	}
}

func TestBadInputRepoWrites(t *testing.T) {
	s := newSession(t)
	did := s.did
	rec := `{"$type":"app.bsky.feed.post","text":"hi","createdAt":"2026-01-01T00:00:00Z"}`
	for _, nsid := range []string{"createRecord", "putRecord", "deleteRecord", "applyWrites"} {
		full := "com.atproto.repo." + nsid
		runBadCases(t, s, commonBodyCases(full, "user"))
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: full, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: full, body: "{}", auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "refresh token as access", method: "POST", nsid: full, body: "{}", auth: "refresh", status: 401, errName: "InvalidToken"},
			{name: "missing repo", method: "POST", nsid: full, body: `{}`, auth: "user", status: 400, errName: "InvalidRequest"},
			{name: "repo wrong type", method: "POST", nsid: full, body: `{"repo":5}`, auth: "user", status: 400, errName: "InvalidRequest"},
			{name: "repo not a DID", method: "POST", nsid: full, body: `{"repo":"not a did"}`, auth: "user", status: 400, errName: "InvalidRequest"},
			{name: "unknown repo", method: "POST", nsid: full, body: `{"repo":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","collection":"app.bsky.feed.post","rkey":"a","record":` + rec + `}`, auth: "user", status: 404, errName: "RepoNotFound"},
			{name: "bad swapCommit", method: "POST", nsid: full, body: `{"repo":"` + did + `","swapCommit":"bafynotacid"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		})
	}
	runBadCases(t, s, []badCase{
		{name: "bad collection", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"not-an-nsid","record":` + rec + `}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "bad rkey", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","rkey":"a/b","record":` + rec + `}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "record not an object", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","record":"x"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "record with float", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","record":{"$type":"app.bsky.feed.post","text":"x","createdAt":"2026-01-01T00:00:00Z","n":1.5}}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "record fails lexicon", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","record":{"$type":"app.bsky.feed.post","text":5}}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "$type mismatch", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","record":{"$type":"app.bsky.feed.like"}}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "validate=true unknown lexicon", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"com.example.thing","validate":true,"record":{"$type":"com.example.thing"}}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "validate wrong type", method: "POST", nsid: "com.atproto.repo.createRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","validate":"yes","record":` + rec + `}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "record references a blob never uploaded", method: "POST", nsid: "com.atproto.repo.putRecord", body: `{"repo":"` + did + `","collection":"app.bsky.actor.profile","rkey":"self","record":{"$type":"app.bsky.actor.profile","avatar":{"$type":"blob","ref":{"$link":"bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"},"mimeType":"image/png","size":10}}}`, auth: "user", status: 400, errName: "BlobNotFound"},
		{name: "put without rkey", method: "POST", nsid: "com.atproto.repo.putRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","record":` + rec + `}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "put with swapRecord mismatch", method: "POST", nsid: "com.atproto.repo.putRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","rkey":"x","swapRecord":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm","record":` + rec + `}`, auth: "user", status: 400, errName: "InvalidSwap"},
		{name: "delete swapRecord mismatch", method: "POST", nsid: "com.atproto.repo.deleteRecord", body: `{"repo":"` + did + `","collection":"app.bsky.feed.post","rkey":"x","swapRecord":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}`, auth: "user", status: 400, errName: "InvalidSwap"},
		{name: "applyWrites empty", method: "POST", nsid: "com.atproto.repo.applyWrites", body: `{"repo":"` + did + `","writes":[]}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "applyWrites unknown type", method: "POST", nsid: "com.atproto.repo.applyWrites", body: `{"repo":"` + did + `","writes":[{"$type":"x","collection":"app.bsky.feed.post"}]}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "applyWrites writes not a list", method: "POST", nsid: "com.atproto.repo.applyWrites", body: `{"repo":"` + did + `","writes":{}}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "applyWrites update without value", method: "POST", nsid: "com.atproto.repo.applyWrites", body: `{"repo":"` + did + `","writes":[{"$type":"com.atproto.repo.applyWrites#update","collection":"app.bsky.feed.post","rkey":"a"}]}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "applyWrites too many", method: "POST", nsid: "com.atproto.repo.applyWrites", body: tooManyWrites(did), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "applyWrites delete missing", method: "POST", nsid: "com.atproto.repo.applyWrites", body: `{"repo":"` + did + `","writes":[{"$type":"com.atproto.repo.applyWrites#delete","collection":"app.bsky.feed.post","rkey":"nope"}]}`, auth: "user", status: 400, errName: "InvalidRequest"},
	})
}

func tooManyWrites(did string) string {
	var ws []string
	for i := 0; i < 201; i++ {
		ws = append(ws, `{"$type":"com.atproto.repo.applyWrites#delete","collection":"app.bsky.feed.post","rkey":"a`+strings.Repeat("b", i%5)+`"}`)
	}
	return `{"repo":"` + did + `","writes":[` + strings.Join(ws, ",") + `]}`
}

func TestBadInputRepoReads(t *testing.T) {
	s := newSession(t)
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	did := s.did
	cases := []badCase{
		{name: "POST on a query", method: "POST", nsid: "com.atproto.repo.getRecord", body: "{}", status: 405, errName: "InvalidRequest"},
		{name: "missing params", method: "GET", nsid: "com.atproto.repo.getRecord", status: 400, errName: "InvalidRequest"},
		{name: "bad repo", method: "GET", nsid: "com.atproto.repo.getRecord", query: q("repo", "no!", "collection", "app.bsky.feed.post", "rkey", "a"), status: 400, errName: "InvalidRequest"},
		{name: "bad collection", method: "GET", nsid: "com.atproto.repo.getRecord", query: q("repo", did, "collection", "nope", "rkey", "a"), status: 400, errName: "InvalidRequest"},
		{name: "bad rkey", method: "GET", nsid: "com.atproto.repo.getRecord", query: q("repo", did, "collection", "app.bsky.feed.post", "rkey", ".."), status: 400, errName: "InvalidRequest"},
		{name: "bad cid", method: "GET", nsid: "com.atproto.repo.getRecord", query: q("repo", did, "collection", "app.bsky.feed.post", "rkey", "a", "cid", "zzz"), status: 400, errName: "InvalidRequest"},
		{name: "missing record", method: "GET", nsid: "com.atproto.repo.getRecord", query: q("repo", did, "collection", "app.bsky.feed.post", "rkey", "a"), status: 404, errName: "RecordNotFound"},
		{name: "unknown repo", method: "GET", nsid: "com.atproto.repo.getRecord", query: q("repo", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "collection", "app.bsky.feed.post", "rkey", "a"), status: 404, errName: "RepoNotFound"},
		{name: "unknown handle", method: "GET", nsid: "com.atproto.repo.describeRepo", query: q("repo", "nobody.test"), status: 404, errName: "RepoNotFound"},
		{name: "bad token on optional auth", method: "GET", nsid: "com.atproto.repo.describeRepo", query: q("repo", did), auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "limit not a number", method: "GET", nsid: "com.atproto.repo.listRecords", query: q("repo", did, "collection", "app.bsky.feed.post", "limit", "x"), status: 400, errName: "InvalidRequest"},
		{name: "limit too big", method: "GET", nsid: "com.atproto.repo.listRecords", query: q("repo", did, "collection", "app.bsky.feed.post", "limit", "1000"), status: 400, errName: "InvalidRequest"},
		{name: "reverse not a bool", method: "GET", nsid: "com.atproto.repo.listRecords", query: q("repo", did, "collection", "app.bsky.feed.post", "reverse", "maybe"), status: 400, errName: "InvalidRequest"},
		{name: "unknown method", method: "GET", nsid: "com.example.nothing", status: 501, errName: "MethodNotImplemented"},
		{name: "not an NSID", method: "GET", nsid: "nothing", status: 404, errName: "InvalidRequest"},
	}
	runBadCases(t, s, cases)
}

func TestBadInputServer(t *testing.T) {
	s := newSession(t)
	acct := func(body string) badCase {
		return badCase{method: "POST", nsid: "com.atproto.server.createAccount", body: body}
	}
	with := func(c badCase, name string, status int, errName string) badCase {
		c.name, c.status, c.errName = name, status, errName
		return c
	}
	cases := []badCase{
		with(acct(`{"password":"long enough pw"}`), "no handle", 400, "InvalidRequest"),
		with(acct(`{"handle":"bad handle","password":"long enough pw"}`), "bad handle", 400, "InvalidHandle"),
		with(acct(`{"handle":"dave.example.com","password":"long enough pw"}`), "foreign domain", 400, "InvalidHandle"),
		with(acct(`{"handle":"a.b.test","password":"long enough pw"}`), "multi-label", 400, "InvalidHandle"),
		with(acct(`{"handle":"carol.test","password":"long enough pw"}`), "handle taken", 400, "HandleNotAvailable"),
		with(acct(`{"handle":"dave.test"}`), "no password", 400, "InvalidPassword"),
		with(acct(`{"handle":"dave.test","password":"long enough pw","email":"not-an-email"}`), "bad email", 400, "InvalidRequest"),
		with(acct(`{"handle":"dave.test","password":"long enough pw","email":"carol@example.com"}`), "email taken", 400, "InvalidRequest"),
		with(acct(`{"handle":5}`), "handle wrong type", 400, "InvalidRequest"),
		{name: "login missing fields", method: "POST", nsid: "com.atproto.server.createSession", body: `{"identifier":"carol.test"}`, status: 400, errName: "InvalidRequest"},
		{name: "login wrong password", method: "POST", nsid: "com.atproto.server.createSession", body: `{"identifier":"carol.test","password":"nope"}`, status: 401, errName: "AuthenticationRequired"},
		{name: "login unknown account", method: "POST", nsid: "com.atproto.server.createSession", body: `{"identifier":"zed.test","password":"nope"}`, status: 401, errName: "AuthenticationRequired"},
		{name: "refresh with access token", method: "POST", nsid: "com.atproto.server.refreshSession", auth: "user", status: 401, errName: "InvalidToken"},
		{name: "refresh without token", method: "POST", nsid: "com.atproto.server.refreshSession", status: 401, errName: "AuthRequired"},
		{name: "getSession bad token", method: "GET", nsid: "com.atproto.server.getSession", auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "getSession with refresh token", method: "GET", nsid: "com.atproto.server.getSession", auth: "refresh", status: 401, errName: "InvalidToken"},
		{name: "deleteSession with access token", method: "POST", nsid: "com.atproto.server.deleteSession", auth: "user", status: 401, errName: "InvalidToken"},
		{name: "app password empty name", method: "POST", nsid: "com.atproto.server.createAppPassword", body: `{"name":""}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "revoke unknown app password", method: "POST", nsid: "com.atproto.server.revokeAppPassword", body: `{"name":"nope"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "invite without admin", method: "POST", nsid: "com.atproto.server.createInviteCode", body: `{"useCount":1}`, status: 401, errName: "AuthRequired"},
		{name: "invite with user token", method: "POST", nsid: "com.atproto.server.createInviteCode", body: `{"useCount":1}`, auth: "user", status: 401, errName: "AuthRequired"},
		{name: "invite zero uses", method: "POST", nsid: "com.atproto.server.createInviteCode", body: `{"useCount":0}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "invites wrong type", method: "POST", nsid: "com.atproto.server.createInviteCodes", body: `{"codeCount":"two","useCount":1}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "resolveHandle missing", method: "GET", nsid: "com.atproto.identity.resolveHandle", status: 400, errName: "InvalidRequest"},
		{name: "resolveHandle malformed", method: "GET", nsid: "com.atproto.identity.resolveHandle", query: "handle=-bad-", status: 400, errName: "InvalidRequest"},
		{name: "resolveHandle unknown", method: "GET", nsid: "com.atproto.identity.resolveHandle", query: "handle=nobody.test", status: 400, errName: "HandleNotFound"},
	}
	runBadCases(t, s, cases)
	for _, nsid := range []string{"createAccount", "createSession", "createAppPassword", "revokeAppPassword", "createInviteCode"} {
		auth := map[string]string{"createAppPassword": "user", "revokeAppPassword": "user", "createInviteCode": "admin"}[nsid]
		runBadCases(t, s, commonBodyCases("com.atproto.server."+nsid, auth))
	}
}
