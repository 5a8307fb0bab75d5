package oauth_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/auth/oauth"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// crossPDS is two Hearth instances on one local PLC: the controller C on
// instance 1, the delegated account D on instance 2 (editor grant).
type crossPDS struct {
	t          *testing.T
	one, two   *testpds.PDS
	c, d       acct
	app        *oauth.ClientApp // the app signing in at instance 2
	scopes     []string
	authorize2 string
}

func startCross(t *testing.T, dbURL func(testing.TB) string) *crossPDS {
	t.Helper()
	plc := testpds.StartPLC(t)
	x := &crossPDS{t: t, scopes: actAsScopes}
	x.one = testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc})
	x.two = testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc})
	x.c = newAccount(t, x.one, "cora.test")
	x.d = newAccount(t, x.two, "dex.test")
	x.d.grant(t, x.c.did, "editor")
	x.app = appFor(x.two, x.scopes...)
	x.authorize2 = x.two.URL + "/oauth/authorize"
	return x
}

// trip runs the cross-PDS login up to the callback at instance 2: the app's
// request at instance 2, "continue as C", C's login and consent at instance
// 1. It returns the browser and the callback URL (not yet visited).
func (x *crossPDS) trip(ctx context.Context) (*browser, *url.URL) {
	t := x.t
	t.Helper()
	authURL, _ := beginAt(t, ctx, x.two, x.app, x.d.did)
	b := newBrowser(t)
	p := b.get(authURL)
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="remote" value="`+x.c.did+`"`) {
		t.Fatalf("instance 2 login page: %d\n%s", p.status, p.body)
	}
	p = b.post(x.authorize2, formOf(t, p, url.Values{"remote": {x.c.did}}))
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, x.one.URL+"/oauth/authorize?") {
		t.Fatalf("continue as the controller: %d %q\n%s", p.status, p.location, p.body)
	}
	p = b.get(p.location)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Sign in to Hearth") || !strings.Contains(p.body, "/oauth/delegated/client-metadata.json") {
		t.Fatalf("instance 1 login page: %d\n%s", p.status, p.body)
	}
	authorize1 := x.one.URL + "/oauth/authorize"
	p = b.post(authorize1, formOf(t, p, url.Values{"action": {"login"}, "identifier": {x.c.handle}, "password": {password}}))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Allow access to cora.test") {
		t.Fatalf("instance 1 consent: %d\n%s", p.status, p.body)
	}
	p = b.post(authorize1, formOf(t, p, url.Values{"action": {"approve"}, "did": {x.c.did}, "scope": {"atproto"}}))
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, x.two.URL+"/oauth/delegated/callback?") {
		t.Fatalf("instance 1 approve: %d %q\n%s", p.status, p.location, p.body)
	}
	u, err := url.Parse(p.location)
	if err != nil {
		t.Fatal(err)
	}
	return b, u
}

// remoteSessions counts C's live sign-ins at instance 1.
func (x *crossPDS) remoteSessions(ctx context.Context) int {
	x.t.Helper()
	list, err := x.one.Server.Store().ListOAuthSessions(ctx, x.c.did, time.Now())
	if err != nil {
		x.t.Fatal(err)
	}
	return len(list)
}

// TestCrossPDSLogin is acceptance 3 and 5: the token has sub = D, act.sub
// = C and scope = requested ∩ granted; the write lands in D's repo; the
// audit row names C and the client; C's session at instance 1 is revoked at
// once; after the grant is revoked the next request and refresh fail. On
// both storage backends.
func TestCrossPDSLogin(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := t.Context()
		x := startCross(t, dbURL)
		b, cb := x.trip(ctx)
		p := b.get(cb.String())
		if p.status != http.StatusOK || !strings.Contains(p.body, "Act as dex.test?") || !strings.Contains(p.body, "<code>identity:handle</code>") {
			t.Fatalf("instance 2 consent: %d\n%s", p.status, p.body)
		}
		if n := x.remoteSessions(ctx); n != 0 {
			t.Fatalf("the controller's session at instance 1 is still live (%d)", n)
		}
		if got := scopeBoxes(p); !slices.Equal(got, []string{"atproto", "repo:app.bsky.feed.post?action=create"}) {
			t.Fatalf("consent offers %v", got)
		}
		p = approveAs(t, b, x.authorize2, p)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, callback+"?") {
			t.Fatalf("approve: %d %q\n%s", p.status, p.location, p.body)
		}
		u, _ := url.Parse(p.location)
		data, err := x.app.ProcessCallback(ctx, u.Query())
		if err != nil {
			t.Fatalf("app callback: %v", err)
		}
		sess, err := x.app.ResumeSession(ctx, data.AccountDID, data.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		cl := claimsOf(t, sess.Data.AccessToken)
		if cl.Sub != x.d.did || cl.Act == nil || cl.Act.Sub != x.c.did || cl.Scope != "atproto repo:app.bsky.feed.post?action=create" {
			t.Fatalf("claims %+v", cl)
		}
		uri, err := createPost(ctx, sess, "from another PDS")
		if err != nil || !strings.HasPrefix(uri, "at://"+x.d.did+"/app.bsky.feed.post/") {
			t.Fatalf("createRecord: %q %v", uri, err)
		}
		issued := x.d.audit(t, store.AuditTokenIssued)
		if len(issued) != 1 || issued[0].Controller != x.c.did || issued[0].Detail.ClientID != x.app.Config.ClientID {
			t.Fatalf("token.issued audit %+v", issued)
		}
		writes := x.d.audit(t, store.AuditWrite)
		if len(writes) != 1 || writes[0].Controller != x.c.did || writes[0].Actor != x.c.did || writes[0].Detail.ClientID != x.app.Config.ClientID {
			t.Fatalf("write audit %+v", writes)
		}
		if _, err := sess.RefreshTokens(ctx); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		x.d.revoke(t, x.c.did)
		if _, err := createPost(ctx, sess, "after revocation"); err == nil {
			t.Fatal("a write after the grant was revoked succeeded")
		}
		if _, err := sess.RefreshTokens(ctx); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("refresh after revocation: %v", err)
		}
	})
}

// tamper rewrites the answers of one path of instance 1 (default: the
// token endpoint).
type tamper struct {
	host, path string
	edit       func([]byte) []byte
}

func (tp tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	path := tp.path
	if path == "" {
		path = "/oauth/token"
	}
	if err != nil || r.URL.Host != tp.host || r.URL.Path != path || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b = tp.edit(b)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestCrossPDSCallbackRefusals is acceptance 6: the callback refuses a
// missing or mismatched iss, a sub other than C, a replayed or expired
// state and a Bearer token type; also a state from another browser and a
// grant revoked during the trip. On both storage backends.
func TestCrossPDSCallbackRefusals(t *testing.T) {
	testdb.RunURL(t, testCallbackRefusals)
}

func testCallbackRefusals(t *testing.T, dbURL func(testing.TB) string) {
	ctx := t.Context()
	x := startCross(t, dbURL)
	refused := func(name string, p page, status int, want string) {
		t.Helper()
		if p.status != status || !strings.Contains(p.body, want) {
			t.Errorf("%s: %d (want %d, %q)\n%s", name, p.status, status, want, p.body)
		}
	}
	without := func(u *url.URL, drop string, set ...string) string {
		q := u.Query()
		q.Del(drop)
		if len(set) == 2 {
			q.Set(set[0], set[1])
		}
		v := *u
		v.RawQuery = q.Encode()
		return v.String()
	}

	b, cb := x.trip(ctx)
	refused("missing iss", b.get(without(cb, "iss")), http.StatusBadRequest, "no iss")
	b, cb = x.trip(ctx)
	refused("mismatched iss", b.get(without(cb, "iss", "iss", "https://pds.example.com")), http.StatusBadRequest, "iss mismatch")

	b, cb = x.trip(ctx)
	if p := b.get(cb.String()); p.status != http.StatusOK {
		t.Fatalf("callback: %d\n%s", p.status, p.body)
	}
	refused("replayed state", b.get(cb.String()), http.StatusBadRequest, "already completed")
	refused("unknown state", b.get(without(cb, "state", "state", "nonsense")), http.StatusBadRequest, "unknown")
	refused("no state", b.get(without(cb, "state")), http.StatusBadRequest, "no valid state")

	b, cb = x.trip(ctx)
	refused("other browser", newBrowser(t).get(cb.String()), http.StatusForbidden, "another browser")

	b, cb = x.trip(ctx)
	x.two.Server.OAuth().SetClock(func() time.Time { return time.Now().Add(11 * time.Minute) })
	p := b.get(cb.String())
	x.two.Server.OAuth().SetClock(nil)
	refused("expired state", p, http.StatusBadRequest, "more than 10 minutes")

	host := strings.TrimPrefix(x.one.URL, "http://")
	x.two.Server.OAuth().SetRemoteClient(&http.Client{Transport: tamper{host: host, edit: func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"token_type":"DPoP"`), []byte(`"token_type":"Bearer"`), 1)
	}}})
	b, cb = x.trip(ctx)
	refused("Bearer token type", b.get(cb.String()), http.StatusBadRequest, "not a DPoP-bound one")

	other := newAccount(t, x.one, "otto.test")
	x.two.Server.OAuth().SetRemoteClient(&http.Client{Transport: tamper{host: host, edit: func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"sub":"`+x.c.did+`"`), []byte(`"sub":"`+other.did+`"`), 1)
	}}})
	b, cb = x.trip(ctx)
	refused("sub is not the controller", b.get(cb.String()), http.StatusForbidden, "Another account")

	// The authorization server's issuer must be exactly the URL the
	// controller's PDS names.
	x.two.Server.OAuth().SetRemoteClient(&http.Client{Transport: tamper{host: host, path: "/.well-known/oauth-authorization-server", edit: func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"issuer":"`+x.one.URL+`"`), []byte(`"issuer":"`+x.one.URL+`/"`), 1)
	}}})
	authURL, _ := beginAt(t, ctx, x.two, x.app, x.d.did)
	b = newBrowser(t)
	p = b.get(authURL)
	refused("issuer mismatch", b.post(x.authorize2, formOf(t, p, url.Values{"remote": {x.c.did}})), http.StatusBadGateway, "issuer")
	x.two.Server.OAuth().SetRemoteClient(nil)

	// Every remote session was revoked, refused or not.
	if n := x.remoteSessions(ctx); n != 0 {
		t.Fatalf("%d of the controller's sessions at instance 1 are live", n)
	}
	// Once the grant is revoked, the trip ends at the callback.
	b, cb = x.trip(ctx)
	x.d.revoke(t, x.c.did)
	refused("revoked grant", b.get(cb.String()), http.StatusForbidden, "no active grant")
}
