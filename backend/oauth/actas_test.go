package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// actAsScopes is what the apps of these tests ask for: posts (create
// only), and a handle change the editor preset does not allow.
var actAsScopes = []string{"atproto", "repo:app.bsky.feed.post?action=create", "identity:handle"}

// TestActAsLocalController: C and D on one Hearth. D's login page offers
// "sign in as a controller"; C signs in with C's password; the consent page
// shows requested ∩ granted and what was dropped; the token has sub = D,
// act.sub = C; a write lands in D's repo; the audit log names C and the
// client; after the grant is revoked the next request and the next refresh
// fail and C's app passwords for D are gone. On both storage backends.
func TestActAsLocalController(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := t.Context()
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
		d := newAccount(t, pds, "dana.test")
		c := newAccount(t, pds, "carl.test")
		d.grant(t, c.did, "editor")

		app := appFor(pds, actAsScopes...)
		authURL, _ := beginAt(t, ctx, pds, app, d.did)
		b := newBrowser(t)
		p := b.get(authURL)
		if p.status != http.StatusOK || !strings.Contains(p.body, "sign in as a controller of dana.test") {
			t.Fatalf("login page: %d\n%s", p.status, p.body)
		}
		endpoint := pds.URL + "/oauth/authorize"
		// A wrong password and a non-controller are refused.
		bad := b.post(endpoint, formOf(t, p, url.Values{"action": {"login_controller"}, "controller": {"carl.test"}, "controller_password": {"nope"}}))
		if bad.status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", bad.status)
		}
		other := newAccount(t, pds, "olga.test")
		bad = b.post(endpoint, formOf(t, p, url.Values{"action": {"login_controller"}, "controller": {other.handle}, "controller_password": {password}}))
		if bad.status != http.StatusForbidden || !strings.Contains(bad.body, "not a controller") {
			t.Fatalf("not a controller: %d\n%s", bad.status, bad.body)
		}
		bad = b.post(endpoint, formOf(t, p, url.Values{"remote": {other.did}}))
		if bad.status != http.StatusForbidden || !strings.Contains(bad.body, "not a controller") {
			t.Fatalf("remote login of a non-controller: %d\n%s", bad.status, bad.body)
		}
		p = b.post(endpoint, formOf(t, p, url.Values{"action": {"login_controller"}, "controller": {"carl.test"}, "controller_password": {password}}))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Act as dana.test?") || !strings.Contains(p.body, "<code>identity:handle</code>") {
			t.Fatalf("consent: %d\n%s", p.status, p.body)
		}
		if got := scopeBoxes(p); !slices.Equal(got, []string{"atproto", "repo:app.bsky.feed.post?action=create"}) {
			t.Fatalf("consent offers %v", got)
		}
		// A forged ticket is refused.
		forged := b.post(endpoint, formOf(t, p, url.Values{"action": {"approve"}, "did": {d.did}, "actor": {other.did}, "actor_ticket": {hidden(t, p, "actor_ticket")}}))
		if forged.status != http.StatusForbidden {
			t.Fatalf("forged ticket: %d", forged.status)
		}
		p = approveAs(t, b, endpoint, p)
		if p.status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", p.status, p.body)
		}
		u, _ := url.Parse(p.location)
		data, err := app.ProcessCallback(ctx, u.Query())
		if err != nil {
			t.Fatalf("callback: %v", err)
		}
		sess, err := app.ResumeSession(ctx, data.AccountDID, data.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		cl := claimsOf(t, sess.Data.AccessToken)
		if cl.Sub != d.did || cl.Act == nil || cl.Act.Sub != c.did || cl.Scope != "atproto repo:app.bsky.feed.post?action=create" {
			t.Fatalf("claims %+v act %+v", cl, cl.Act)
		}
		uri, err := createPost(ctx, sess, "written by a controller")
		if err != nil || !strings.HasPrefix(uri, "at://"+d.did+"/app.bsky.feed.post/") {
			t.Fatalf("createRecord: %q %v", uri, err)
		}
		issued := d.audit(t, store.AuditTokenIssued)
		if len(issued) != 1 || issued[0].Controller != c.did || issued[0].Actor != c.did || issued[0].Detail.ClientID != app.Config.ClientID {
			t.Fatalf("token.issued audit %+v", issued)
		}
		if _, err := sess.RefreshTokens(ctx); err != nil {
			t.Fatalf("refresh: %v", err)
		}

		// An app password the controller obtained for the account.
		st := pds.Server.Store()
		ap := store.AppPassword{DID: d.did, Name: "by carl", Hash: []byte("not a real hash"), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
		if err := st.CreateDelegatedAppPassword(ctx, ap, c.did); err != nil {
			t.Fatal(err)
		}

		// A narrowed grant narrows the next request.
		status, body := xrpcCall(t, pds, http.MethodPost, "dev.hearthpds.delegation.updateController", d.access,
			map[string]string{"controller": c.did, "preset": "viewer"}, nil)
		if status != http.StatusOK {
			t.Fatalf("updateController: %d %s", status, body)
		}
		if _, err := createPost(ctx, sess, "as a viewer"); err == nil {
			t.Fatal("a write under a viewer grant succeeded")
		}

		d.revoke(t, c.did)
		if _, err := createPost(ctx, sess, "after revocation"); err == nil {
			t.Fatal("a write after the grant was revoked succeeded")
		}
		if _, err := sess.RefreshTokens(ctx); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("refresh after revocation: %v", err)
		}
		aps, err := st.ListAppPasswords(ctx, d.did)
		if err != nil || len(aps) != 0 {
			t.Fatalf("app passwords after revocation: %v %v", aps, err)
		}
	})
}

// TestNoAmbientActAs: an X-Act-As header changes nothing: C's own session
// cannot write to D's repo with it.
func TestNoAmbientActAs(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	d := newAccount(t, pds, "dora.test")
	c := newAccount(t, pds, "cato.test")
	d.grant(t, c.did, "owner")
	for _, h := range []string{d.did, d.handle} {
		req, _ := http.NewRequest(http.MethodPost, pds.URL+"/xrpc/com.atproto.repo.createRecord", strings.NewReader(
			`{"repo":"`+d.did+`","collection":"app.bsky.feed.post","record":{"$type":"app.bsky.feed.post","text":"x","createdAt":"2026-01-01T00:00:00Z"}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.access)
		req.Header.Set("X-Act-As", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatalf("X-Act-As %s let the controller write to the account", h)
		}
	}
	var out struct {
		Records []any `json:"records"`
	}
	status, body := xrpcCall(t, pds, http.MethodGet, "com.atproto.repo.listRecords", "", map[string]string{"repo": d.did, "collection": "app.bsky.feed.post"}, &out)
	if status != http.StatusOK || len(out.Records) != 0 {
		t.Fatalf("listRecords: %d %s", status, body)
	}
}
