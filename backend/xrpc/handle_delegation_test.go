package xrpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/atclient"

	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const delegationNS = "dev.hearthpds.delegation."

// delegationPDS is a test server with three accounts: carol (who delegates),
// dave and erin (controllers).
type delegationPDS struct {
	pds                     *testpds.PDS
	carol, dave, erin       string // DIDs
	carolAt, daveAt, erinAt string // access tokens
}

// account creates an account and returns its DID and access token.
func account(t *testing.T, pds *testpds.PDS, handle string) (string, string) {
	t.Helper()
	var out struct {
		DID       string `json:"did"`
		AccessJwt string `json:"accessJwt"`
	}
	err := atclient.NewAPIClient(pds.URL).Post(context.Background(), "com.atproto.server.createAccount",
		map[string]any{"handle": handle, "password": "a long enough password", "email": handle + "@example.com"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	return out.DID, out.AccessJwt
}

func newDelegationPDS(t *testing.T, dbURL string) *delegationPDS {
	t.Helper()
	d := &delegationPDS{pds: testpds.Start(t, testpds.Options{DBURL: dbURL})}
	d.carol, d.carolAt = account(t, d.pds, "carol.test")
	d.dave, d.daveAt = account(t, d.pds, "dave.test")
	d.erin, d.erinAt = account(t, d.pds, "erin.test")
	return d
}

// call makes one XRPC request with a bearer token ("" for none) and decodes
// the JSON answer.
func call(t *testing.T, pds *testpds.PDS, token, nsid string, query url.Values, body any) (int, map[string]any) {
	t.Helper()
	method, u := http.MethodGet, pds.URL+"/xrpc/"+nsid
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		method = http.MethodPost
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil && len(raw) > 0 {
		t.Fatalf("%s: %d %q: %v", nsid, resp.StatusCode, raw, err)
	}
	return resp.StatusCode, out
}

// ok calls a method that must succeed.
func (d *delegationPDS) ok(t *testing.T, token, nsid string, query url.Values, body any) map[string]any {
	t.Helper()
	status, out := call(t, d.pds, token, delegationNS+nsid, query, body)
	if status != http.StatusOK {
		t.Fatalf("%s: %d %v", nsid, status, out)
	}
	return out
}

// list returns the array field of an answer.
func list(out map[string]any, field string) []map[string]any {
	raw, _ := out[field].([]any)
	items := make([]map[string]any, len(raw))
	for i, r := range raw {
		items[i], _ = r.(map[string]any)
	}
	return items
}

// TestDelegationOverHTTP drives every method as the account's own password
// session, on both storage backends: add, list, update, the controller's
// view, the audit log with its filters and pages, and removal, which deletes
// the controller's app passwords and revokes its OAuth tokens.
func TestDelegationOverHTTP(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(t testing.TB) string) {
		d := newDelegationPDS(t, dbURL(t))
		ctx := t.Context()

		presets := list(d.ok(t, d.carolAt, "listPresets", nil, nil), "presets")
		if len(presets) != 4 || presets[0]["name"] != "owner" || presets[3]["name"] != "viewer" {
			t.Fatalf("presets = %v", presets)
		}

		g := d.ok(t, d.carolAt, "addController", nil, map[string]any{"controller": "dave.test", "preset": "editor"})
		if g["controller"] != d.dave || g["controllerHandle"] != "dave.test" || g["delegated"] != d.carol ||
			g["preset"] != "editor" || g["grantedBy"] != d.carol || len(g["description"].([]any)) == 0 {
			t.Fatalf("added grant = %v", g)
		}
		d.ok(t, d.carolAt, "addController", nil, map[string]any{"controller": "@erin.test", "scope": "atproto account:status?action=read"})
		controllers := list(d.ok(t, d.carolAt, "listControllers", nil, nil), "controllers")
		if len(controllers) != 2 || controllers[1]["preset"] != "viewer" {
			t.Fatalf("controllers = %v", controllers)
		}
		accounts := list(d.ok(t, d.daveAt, "listControlledAccounts", nil, nil), "accounts")
		if len(accounts) != 1 || accounts[0]["delegated"] != d.carol || accounts[0]["delegatedHandle"] != "carol.test" {
			t.Fatalf("dave controls %v", accounts)
		}

		u := d.ok(t, d.carolAt, "updateController", nil, map[string]any{"controller": d.dave, "scope": "atproto repo:app.bsky.feed.post?action=create"})
		if u["preset"] != "custom" || u["scope"] != "atproto repo:app.bsky.feed.post?action=create" || u["updatedAt"] == nil {
			t.Fatalf("updated grant = %v", u)
		}

		// An app password dave created for carol, and an OAuth session he
		// obtained as carol: both end with the grant.
		st := d.pds.Server.Store()
		now := time.Now()
		if err := st.CreateDelegatedAppPassword(ctx, store.AppPassword{DID: d.carol, Name: "dave-phone", Hash: []byte("h"), CreatedAt: now}, d.dave); err != nil {
			t.Fatal(err)
		}
		token := store.OAuthToken{Hash: []byte("refresh-hash"), FamilyID: "fam", DID: d.carol, ActorDID: d.dave, ClientID: "https://app.example/client.json",
			ClientAuth: "none", DPoPJKT: "jkt", Scope: "atproto", CreatedAt: now, ExpiresAt: now.Add(time.Hour), FamilyExpiresAt: now.Add(time.Hour)}
		if err := st.CreateOAuthToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		if names := appPasswordNames(t, d); !slices.Contains(names, "dave-phone") {
			t.Fatalf("app passwords before revoking = %v", names)
		}

		r := d.ok(t, d.carolAt, "removeController", nil, map[string]any{"controller": "dave.test"})
		if r["revokedAt"] == nil || r["revokedBy"] != d.carol {
			t.Fatalf("removed grant = %v", r)
		}
		if names := appPasswordNames(t, d); slices.Contains(names, "dave-phone") {
			t.Fatalf("dave's app password outlived the grant: %v", names)
		}
		if got, err := st.GetOAuthToken(ctx, token.Hash); err != nil || got.RevokedAt == nil {
			t.Fatalf("dave's OAuth session after revoking: %+v, %v", got, err)
		}
		if accounts := list(d.ok(t, d.daveAt, "listControlledAccounts", nil, nil), "accounts"); len(accounts) != 0 {
			t.Fatalf("dave still controls %v", accounts)
		}

		log := d.ok(t, d.carolAt, "getAuditLog", nil, nil)
		kinds := func(entries []map[string]any) []string {
			var out []string
			for _, e := range entries {
				out = append(out, e["kind"].(string))
			}
			return out
		}
		want := []string{store.AuditGrantRevoke, store.AuditGrantUpdate, store.AuditGrantAdd, store.AuditGrantAdd}
		if got := kinds(list(log, "entries")); !slices.Equal(got, want) {
			t.Fatalf("audit kinds = %v, want %v", got, want)
		}
		first := list(log, "entries")[1]
		if first["actor"] != d.carol || first["controller"] != d.dave ||
			first["detail"].(map[string]any)["previousScope"] == nil {
			t.Fatalf("update entry = %v", first)
		}
		byDave := list(d.ok(t, d.carolAt, "getAuditLog", url.Values{"controller": {"dave.test"}}, nil), "entries")
		byKind := list(d.ok(t, d.carolAt, "getAuditLog", url.Values{"kinds": {"grant.add", "grant.revoke"}}, nil), "entries")
		since := list(d.ok(t, d.carolAt, "getAuditLog", url.Values{"since": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}, nil), "entries")
		if len(byDave) != 3 || len(byKind) != 3 || len(since) != 0 {
			t.Fatalf("filtered: by dave %d, by kind %d, since %d", len(byDave), len(byKind), len(since))
		}
		page := d.ok(t, d.carolAt, "getAuditLog", url.Values{"limit": {"3"}}, nil)
		cursor, _ := page["cursor"].(string)
		rest := d.ok(t, d.carolAt, "getAuditLog", url.Values{"limit": {"3"}, "cursor": {cursor}}, nil)
		if len(list(page, "entries")) != 3 || cursor == "" || len(list(rest, "entries")) != 1 || rest["cursor"] != nil {
			t.Fatalf("pages: %v then %v", page, rest)
		}

		// A deleted controller's grants end with its account.
		adminDelete(t, d.pds, d.erin)
		if controllers := list(d.ok(t, d.carolAt, "listControllers", nil, nil), "controllers"); len(controllers) != 0 {
			t.Fatalf("controllers after erin's deletion = %v", controllers)
		}
		last := list(d.ok(t, d.carolAt, "getAuditLog", url.Values{"limit": {"1"}}, nil), "entries")[0]
		if last["kind"] != store.AuditGrantRevoke || last["actor"] != d.erin {
			t.Fatalf("entry of erin's deletion = %v", last)
		}
	})
}

// appPasswordNames lists carol's app passwords over XRPC.
func appPasswordNames(t *testing.T, d *delegationPDS) []string {
	t.Helper()
	status, out := call(t, d.pds, d.carolAt, "com.atproto.server.listAppPasswords", nil, nil)
	if status != http.StatusOK {
		t.Fatalf("listAppPasswords: %d %v", status, out)
	}
	var names []string
	for _, p := range list(out, "passwords") {
		names = append(names, p["name"].(string))
	}
	return names
}

// adminDelete deletes an account with the admin credentials.
func adminDelete(t *testing.T, pds *testpds.PDS, did string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, pds.URL+"/xrpc/com.atproto.admin.deleteAccount", bytes.NewReader([]byte(`{"did":"`+did+`"}`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", testpds.AdminPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin deleteAccount: %d", resp.StatusCode)
	}
}

// TestDelegationLexicons: every delegation method has its lexicon, of the
// kind it is registered as, and every delegation lexicon method is served.
func TestDelegationLexicons(t *testing.T) {
	served := map[string]bool{}
	for _, m := range (&xrpc.DelegationHandlers{}).Methods() {
		served[m.NSID] = true
		lm, ok := lexicon.LookupMethod(m.NSID)
		want := map[xrpc.Kind]lexicon.Kind{xrpc.Query: lexicon.KindQuery, xrpc.Procedure: lexicon.KindProcedure}[m.Kind]
		if !ok || lm.Kind != want {
			t.Errorf("%s: lexicon %+v, %v; registered as %v", m.NSID, lm, ok, m.Kind)
		}
		if m.Auth != xrpc.AccessAuth {
			t.Errorf("%s: auth level %v", m.NSID, m.Auth)
		}
	}
	for _, lm := range lexicon.Methods() {
		if strings.HasPrefix(lm.NSID, delegationNS) && !served[lm.NSID] {
			t.Errorf("%s has a lexicon but no handler", lm.NSID)
		}
	}
}

// TestDelegationRemoteController: a controller hosted on another PDS (two
// servers sharing a PLC directory) is granted by DID, found through the
// directory, listed, audited and removed.
func TestDelegationRemoteController(t *testing.T) {
	far := testpds.Start(t, testpds.Options{})
	near := testpds.Start(t, testpds.Options{PLCURL: far.PLCURL})
	dave, _ := account(t, far, "dave.test")
	carol, carolAt := account(t, near, "carol.test")
	d := &delegationPDS{pds: near, carol: carol, carolAt: carolAt}

	g := d.ok(t, carolAt, "addController", nil, map[string]any{"controller": dave, "preset": "admin"})
	if g["controller"] != dave || g["preset"] != "admin" {
		t.Fatalf("grant to a remote controller = %v", g)
	}
	if status, out := call(t, near, carolAt, delegationNS+"addController", nil, map[string]any{"controller": "dave.test", "preset": "admin"}); status != 400 || out["error"] != "ControllerNotFound" {
		t.Errorf("a handle hosted elsewhere that does not resolve: %d %v", status, out)
	}
	if controllers := list(d.ok(t, carolAt, "listControllers", nil, nil), "controllers"); len(controllers) != 1 || controllers[0]["controller"] != dave {
		t.Fatalf("controllers = %v", controllers)
	}
	d.ok(t, carolAt, "removeController", nil, map[string]any{"controller": dave})
	entries := list(d.ok(t, carolAt, "getAuditLog", url.Values{"controller": {dave}}, nil), "entries")
	if len(entries) != 2 || entries[0]["kind"] != store.AuditGrantRevoke {
		t.Fatalf("audit of the remote controller = %v", entries)
	}
}
