package xrpc_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/auth/oauth"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/internal/oauthtest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const scopePassword = "a long enough password"

// Test bodies: the first bytes are what MIME sniffing looks at.
var (
	pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	mp4Bytes = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free")
)

// scopeFixture is a real Hearth on loopback with a stand-in AppView and one
// account, alice.test.
type scopeFixture struct {
	t       *testing.T
	pds     *testpds.PDS
	appView *oauthtest.Service
	alice   oauthtest.Account
	access  string // alice's password session
}

func startScopeFixture(t *testing.T, dbURL string) *scopeFixture {
	t.Helper()
	plc := testpds.StartPLC(t)
	appView := oauthtest.StartService(t, plc, "bsky_appview", "BskyAppView")
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL, PLCURL: plc, ExtraArgs: []string{"--appview", appView.Ref()}})
	f := &scopeFixture{t: t, pds: pds, appView: appView}
	status, out := f.legacy("", "com.atproto.server.createAccount", nil, "", map[string]any{
		"handle": "alice.test", "email": "alice@example.com", "password": scopePassword,
	})
	if status != http.StatusOK {
		t.Fatalf("createAccount: %d %v", status, out)
	}
	f.alice = oauthtest.Account{Handle: "alice.test", Password: scopePassword, DID: syntax.DID(out["did"].(string))}
	f.access = out["accessJwt"].(string)
	return f
}

// session signs alice in over OAuth asking for (and granted) scope.
func (f *scopeFixture) session(t *testing.T, scope ...string) *oauth.ClientSession {
	t.Helper()
	srv := oauthtest.Server{URL: f.pds.URL, PLCURL: f.pds.PLCURL}
	return srv.Session(t, f.alice, append([]string{"atproto"}, scope...), nil)
}

// legacy calls nsid with a Bearer token (none when token is ""): a GET
// with query when body is nil, else a POST (JSON unless contentType).
func (f *scopeFixture) legacy(token, nsid string, query url.Values, contentType string, body any) (int, map[string]any) {
	f.t.Helper()
	method, u := http.MethodGet, f.pds.URL+"/xrpc/"+nsid
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		method = http.MethodPost
		b, ok := body.([]byte)
		if !ok {
			b, _ = json.Marshal(body)
			contentType = "application/json"
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// post is a record body for collection.
func (f *scopeFixture) post(collection string) map[string]any {
	rec := map[string]any{"$type": collection, "createdAt": "2026-01-01T00:00:00Z"}
	switch collection {
	case "app.bsky.feed.post":
		rec["text"] = "hello"
	case "app.bsky.feed.like":
		rec["subject"] = map[string]any{"uri": "at://" + f.alice.DID.String() + "/app.bsky.feed.post/3kabcabcabc22", "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}
	}
	return map[string]any{"repo": f.alice.DID.String(), "collection": collection, "record": rec}
}

// refused checks a 403 InsufficientScope naming want, with the OAuth
// challenge.
func refused(t *testing.T, what string, r oauthtest.Response, want string) {
	t.Helper()
	msg, _ := r.Body["message"].(string)
	if r.Status != http.StatusForbidden || r.Body["error"] != "InsufficientScope" || !strings.Contains(msg, want) {
		t.Errorf("%s: got %d %s, want 403 InsufficientScope naming %q", what, r.Status, r.Raw, want)
	}
	if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "DPoP ") || !strings.Contains(h, `error="insufficient_scope"`) {
		t.Errorf("%s: WWW-Authenticate = %q", what, h)
	}
}

func ok(t *testing.T, what string, r oauthtest.Response) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Errorf("%s: got %d %s, want 200", what, r.Status, r.Raw)
	}
}

// TestScopesEnforced is issue 7's acceptance 2 over real HTTP with tokens
// from the server's own OAuth flow: each scope kind is enforced.
func TestScopesEnforced(t *testing.T) { testdb.RunURL(t, testScopesEnforced) }

func testScopesEnforced(t *testing.T, dbURL func(testing.TB) string) {
	f := startScopeFixture(t, dbURL(t))
	const post, like = "app.bsky.feed.post", "app.bsky.feed.like"

	t.Run("repo create only", func(t *testing.T) {
		s := f.session(t, "repo:app.bsky.feed.post?action=create")
		r := oauthtest.Call(t, s, "com.atproto.repo.createRecord", nil, "", f.post(post))
		ok(t, "create a post", r)
		uri, _ := r.Body["uri"].(string)
		rkey := uri[strings.LastIndex(uri, "/")+1:]
		refused(t, "delete the post", oauthtest.Call(t, s, "com.atproto.repo.deleteRecord", nil, "",
			map[string]any{"repo": f.alice.DID.String(), "collection": post, "rkey": rkey}), "repo:app.bsky.feed.post?action=delete")
		refused(t, "create a like", oauthtest.Call(t, s, "com.atproto.repo.createRecord", nil, "", f.post(like)), "repo:app.bsky.feed.like?action=create")
		put := f.post(post)
		put["rkey"] = rkey
		refused(t, "put the post", oauthtest.Call(t, s, "com.atproto.repo.putRecord", nil, "", put), "repo:app.bsky.feed.post?action=update")
		refused(t, "applyWrites with a like", oauthtest.Call(t, s, "com.atproto.repo.applyWrites", nil, "", map[string]any{
			"repo": f.alice.DID.String(), "writes": []map[string]any{
				{"$type": "com.atproto.repo.applyWrites#create", "collection": post, "value": f.post(post)["record"]},
				{"$type": "com.atproto.repo.applyWrites#create", "collection": like, "value": f.post(like)["record"]},
			},
		}), "repo:app.bsky.feed.like?action=create")
		ok(t, "applyWrites of posts", oauthtest.Call(t, s, "com.atproto.repo.applyWrites", nil, "", map[string]any{
			"repo": f.alice.DID.String(), "writes": []map[string]any{
				{"$type": "com.atproto.repo.applyWrites#create", "collection": post, "value": f.post(post)["record"]},
			},
		}))
		// The refused writes left nothing: two posts, no like.
		for coll, want := range map[string]int{post: 2, like: 0} {
			r := oauthtest.Call(t, s, "com.atproto.repo.listRecords", url.Values{"repo": {f.alice.DID.String()}, "collection": {coll}}, "", nil)
			if recs, _ := r.Body["records"].([]any); r.Status != http.StatusOK || len(recs) != want {
				t.Errorf("listRecords %s: %d %s, want %d records", coll, r.Status, r.Raw, want)
			}
		}
		refused(t, "upload without blob:", oauthtest.Call(t, s, "com.atproto.repo.uploadBlob", nil, "image/png", pngBytes), "blob:image/png")
	})

	t.Run("blob images", func(t *testing.T) {
		s := f.session(t, "blob:image/*")
		ok(t, "upload a PNG", oauthtest.Call(t, s, "com.atproto.repo.uploadBlob", nil, "image/png", pngBytes))
		refused(t, "upload a video", oauthtest.Call(t, s, "com.atproto.repo.uploadBlob", nil, "video/mp4", mp4Bytes), "blob:video/mp4")
		refused(t, "upload a video declared as PNG", oauthtest.Call(t, s, "com.atproto.repo.uploadBlob", nil, "image/png", mp4Bytes), "blob:video/mp4")
		refused(t, "create a post without repo:", oauthtest.Call(t, s, "com.atproto.repo.createRecord", nil, "", f.post(post)), "repo:app.bsky.feed.post?action=create")
	})

	t.Run("rpc via the proxy", func(t *testing.T) {
		aud := f.appView.Ref()
		without := f.session(t, "repo:*")
		before := len(f.appView.Calls())
		refused(t, "getTimeline without rpc:", oauthtest.Call(t, without, "app.bsky.feed.getTimeline", nil, "", nil),
			"rpc:app.bsky.feed.getTimeline?aud="+strings.ReplaceAll(aud, "#", "%23"))
		refused(t, "getPreferences without rpc:", oauthtest.Call(t, without, "app.bsky.actor.getPreferences", nil, "", nil), "rpc:app.bsky.actor.getPreferences")
		refused(t, "getServiceAuth without rpc:", oauthtest.Call(t, without, "com.atproto.server.getServiceAuth",
			url.Values{"aud": {aud}, "lxm": {"app.bsky.feed.getTimeline"}}, "", nil), "rpc:app.bsky.feed.getTimeline")
		refused(t, "createReport without rpc:", oauthtest.Call(t, without, "com.atproto.moderation.createReport", nil, "", map[string]any{
			"reasonType": "com.atproto.moderation.defs#reasonSpam",
			"subject":    map[string]any{"$type": "com.atproto.admin.defs#repoRef", "did": f.alice.DID.String()},
		}), "rpc:com.atproto.moderation.createReport")
		if calls := f.appView.Calls(); len(calls) != before {
			t.Errorf("the AppView received %v from a token without rpc:", calls[before:])
		}

		with := f.session(t, "rpc:app.bsky.feed.getTimeline?aud="+aud, "rpc:app.bsky.actor.getPreferences?aud="+aud)
		ok(t, "getTimeline with rpc:", oauthtest.Call(t, with, "app.bsky.feed.getTimeline", nil, "", nil))
		if calls := f.appView.Calls(); !slices.Equal(calls[before:], []string{"app.bsky.feed.getTimeline"}) {
			t.Errorf("AppView calls = %v, want one getTimeline", calls[before:])
		}
		refused(t, "getAuthorFeed with another method's rpc:", oauthtest.Call(t, with, "app.bsky.feed.getAuthorFeed",
			url.Values{"actor": {f.alice.DID.String()}}, "", nil), "rpc:app.bsky.feed.getAuthorFeed")
		ok(t, "getPreferences (served here) with rpc:", oauthtest.Call(t, with, "app.bsky.actor.getPreferences", nil, "", nil))
		refused(t, "putPreferences without its rpc:", oauthtest.Call(t, with, "app.bsky.actor.putPreferences", nil, "",
			map[string]any{"preferences": []any{}}), "rpc:app.bsky.actor.putPreferences")
		ok(t, "getServiceAuth with rpc:", oauthtest.Call(t, with, "com.atproto.server.getServiceAuth",
			url.Values{"aud": {aud}, "lxm": {"app.bsky.feed.getTimeline"}}, "", nil))
		refused(t, "getServiceAuth for any method", oauthtest.Call(t, with, "com.atproto.server.getServiceAuth",
			url.Values{"aud": {aud}}, "", nil), "rpc:*")
		if calls := f.appView.Calls(); len(calls) != before+1 {
			t.Errorf("AppView calls after the refusals = %v", calls[before:])
		}

		// Chat: transition:generic does not reach it; its rpc: scope does.
		generic := f.session(t, "transition:generic")
		refused(t, "chat with transition:generic", oauthtest.Call(t, generic, "chat.bsky.convo.listConvos", nil, "", nil), "rpc:chat.bsky.convo.listConvos")
		ok(t, "getTimeline with transition:generic", oauthtest.Call(t, generic, "app.bsky.feed.getTimeline", nil, "", nil))
		chat := f.session(t, "rpc:chat.bsky.convo.listConvos?aud="+aud)
		ok(t, "chat with its rpc:", oauthtest.Call(t, chat, "chat.bsky.convo.listConvos", nil, "", nil))
		if calls := f.appView.Calls(); !slices.Equal(calls[before+1:], []string{"app.bsky.feed.getTimeline", "chat.bsky.convo.listConvos"}) {
			t.Errorf("AppView calls = %v", calls[before:])
		}
	})

	t.Run("identity and account", func(t *testing.T) {
		s := f.session(t, "repo:*", "blob:*/*")
		refused(t, "updateHandle without identity:", oauthtest.Call(t, s, "com.atproto.identity.updateHandle", nil, "",
			map[string]any{"handle": "alice2.test"}), "identity:handle")
		refused(t, "signPlcOperation without identity:*", oauthtest.Call(t, s, "com.atproto.identity.signPlcOperation", nil, "",
			map[string]any{}), "identity:*")
		refused(t, "updateEmail without account:email", oauthtest.Call(t, s, "com.atproto.server.updateEmail", nil, "",
			map[string]any{"email": "new@example.com"}), "account:email?action=manage")
		refused(t, "requestEmailUpdate without account:email", oauthtest.Call(t, s, "com.atproto.server.requestEmailUpdate", nil, "", map[string]any{}), "account:email?action=manage")
		refused(t, "deactivateAccount without account:status", oauthtest.Call(t, s, "com.atproto.server.deactivateAccount", nil, "", map[string]any{}), "account:status?action=manage")
		refused(t, "createAppPassword over OAuth", oauthtest.Call(t, s, "com.atproto.server.createAppPassword", nil, "",
			map[string]any{"name": "x"}), "password")
		refused(t, "requestAccountDelete over OAuth", oauthtest.Call(t, s, "com.atproto.server.requestAccountDelete", nil, "", map[string]any{}), "password")
		r := oauthtest.Call(t, s, "com.atproto.server.getSession", nil, "", nil)
		if _, has := r.Body["email"]; r.Status != http.StatusOK || has || r.Body["emailConfirmed"] != nil {
			t.Errorf("getSession without account:email: %d %s", r.Status, r.Raw)
		}

		s = f.session(t, "account:email?action=manage", "identity:handle")
		r = oauthtest.Call(t, s, "com.atproto.server.getSession", nil, "", nil)
		if r.Status != http.StatusOK || r.Body["email"] != "alice@example.com" {
			t.Errorf("getSession with account:email: %d %s", r.Status, r.Raw)
		}
		ok(t, "updateEmail with account:email", oauthtest.Call(t, s, "com.atproto.server.updateEmail", nil, "",
			map[string]any{"email": "alice2@example.com"}))
		ok(t, "updateHandle with identity:handle", oauthtest.Call(t, s, "com.atproto.identity.updateHandle", nil, "",
			map[string]any{"handle": "alice2.test"}))
		f.alice.Handle = "alice2.test"
		refused(t, "submitPlcOperation with identity:handle only", oauthtest.Call(t, s, "com.atproto.identity.submitPlcOperation", nil, "",
			map[string]any{"operation": map[string]any{}}), "identity:*")
		if s := f.session(t, "transition:email"); oauthtest.Call(t, s, "com.atproto.server.getSession", nil, "", nil).Body["email"] != "alice2@example.com" {
			t.Error("getSession with transition:email hides the email")
		}
	})

	t.Run("legacy unchanged", func(t *testing.T) {
		full := f.access
		if st, out := f.legacy(full, "com.atproto.repo.createRecord", nil, "", f.post(like)); st != http.StatusOK {
			t.Errorf("password session: create a like: %d %v", st, out)
		}
		if st, out := f.legacy(full, "com.atproto.repo.uploadBlob", nil, "video/mp4", mp4Bytes); st != http.StatusOK {
			t.Errorf("password session: upload a video: %d %v", st, out)
		}
		if st, out := f.legacy(full, "com.atproto.server.getSession", nil, "", nil); st != http.StatusOK || out["email"] == nil {
			t.Errorf("password session: getSession: %d %v", st, out)
		}
		_, ap := f.legacy(full, "com.atproto.server.createAppPassword", nil, "", map[string]any{"name": "priv", "privileged": true})
		_, sess := f.legacy("", "com.atproto.server.createSession", nil, "", map[string]any{"identifier": f.alice.DID.String(), "password": ap["password"]})
		app, _ := sess["accessJwt"].(string)
		if st, out := f.legacy(app, "com.atproto.repo.createRecord", nil, "", f.post(post)); st != http.StatusOK {
			t.Errorf("app password: create a post: %d %v", st, out)
		}
		if st, out := f.legacy(app, "com.atproto.server.updateEmail", nil, "", map[string]any{"email": "x@example.com"}); st == http.StatusOK {
			t.Errorf("app password: updateEmail: %d %v", st, out)
		}
		if st, out := f.legacy(app, "com.atproto.server.getSession", nil, "", nil); st != http.StatusOK || out["email"] != nil {
			t.Errorf("app password: getSession: %d %v", st, out)
		}
	})
}
