package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigoauth "github.com/bluesky-social/indigo/atproto/auth"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// pxSeen is one call a stand-in service received, its service-auth JWT
// already verified with indigo.
type pxSeen struct {
	Method, NSID, Query string
	Issuer              syntax.DID
	Header              http.Header
	Body                string
}

// pxService is a stand-in AppView (or report service) on loopback: a
// did:plc registered in the test PLC directory whose service entry points
// at it. It verifies every call's service-auth JWT with indigo's
// ServiceAuthValidator (audience its DID, lxm the called method) and
// answers {"ok":true,"iss":<issuer>}; a call whose JWT fails gets 401.
type pxService struct {
	DID syntax.DID
	ID  string

	mu   sync.Mutex
	seen []pxSeen
}

func (s *pxService) ref() string { return s.DID.String() + "#" + s.ID }

func (s *pxService) calls() []pxSeen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pxSeen(nil), s.seen...)
}

func startPxService(t *testing.T, plcURL, id, typ string) *pxService {
	t.Helper()
	svc := &pxService{ID: id}
	dir := identity.NewDirectory(identity.DirectoryConfig{PLCURL: plcURL})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nsid := syntax.NSID(strings.TrimPrefix(r.URL.Path, "/xrpc/"))
		v := indigoauth.ServiceAuthValidator{Audience: svc.DID.String(), Dir: dir}
		iss, err := v.Validate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), &nsid)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "BadJwt", "message": err.Error()})
			return
		}
		body, _ := io.ReadAll(r.Body)
		svc.mu.Lock()
		svc.seen = append(svc.seen, pxSeen{Method: r.Method, NSID: nsid.String(), Query: r.URL.RawQuery, Issuer: iss, Header: r.Header.Clone(), Body: string(body)})
		svc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Atproto-Content-Labelers", "did:plc:labeler")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "iss": iss})
	}))
	t.Cleanup(srv.Close)
	svc.DID = pxRegister(t, plcURL, srv.URL, id, typ)
	return svc
}

// pxRegister creates a did:plc whose document lists service #id at url.
func pxRegister(t *testing.T, plcURL, url, id, typ string) syntax.DID {
	t.Helper()
	ctx := context.Background()
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := key.PublicKey()
	plc := identity.NewPLCClient(plcURL, http.DefaultClient)
	did, _, err := plc.CreateDID(ctx, identity.GenesisParams{SigningKey: pub, Signer: key, PDSEndpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plc.Update(ctx, did, key, func(d *identity.OpData) error {
		d.Services[id] = identity.OpService{Type: typ, Endpoint: url}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return did
}

// pxClient calls a PDS over HTTP.
type pxClient struct {
	t     *testing.T
	base  string
	token string
}

// do sends a request (GET when body is nil, else a JSON POST) with more
// headers and returns the status and the decoded JSON answer.
func (c pxClient) do(nsid, query string, body any, header map[string]string) (int, map[string]any) {
	c.t.Helper()
	return (&testpds.Client{T: c.t, Base: c.base, Token: c.token, Header: header}).Do(nsid, query, body)
}

// must sends a request that must succeed.
func (c pxClient) must(nsid, query string, body any, header map[string]string) map[string]any {
	c.t.Helper()
	status, out := c.do(nsid, query, body, header)
	if status != http.StatusOK {
		c.t.Fatalf("%s: %d %v", nsid, status, out)
	}
	return out
}

// want sends a request that must fail with status and error name.
func (c pxClient) want(status int, name, nsid, query string, body any, header map[string]string) {
	c.t.Helper()
	got, out := c.do(nsid, query, body, header)
	if got != status || out["error"] != name {
		c.t.Errorf("%s: got %d %v, want %d %s", nsid, got, out, status, name)
	}
}

// pxAccount signs up an account and returns a client with its session.
func pxAccount(t *testing.T, pds *testpds.PDS, handle, email string) (pxClient, string) {
	t.Helper()
	anon := pxClient{t: t, base: pds.URL}
	out := anon.must("com.atproto.server.createAccount", "",
		map[string]any{"handle": handle, "email": email, "password": "a long enough password"}, nil)
	return pxClient{t: t, base: pds.URL, token: out["accessJwt"].(string)}, out["did"].(string)
}

// pxAppPassword logs in with a new app password (privileged or not).
func pxAppPassword(t *testing.T, c pxClient, handle string, privileged bool) pxClient {
	t.Helper()
	ap := c.must("com.atproto.server.createAppPassword", "", map[string]any{"name": "app-" + handle, "privileged": privileged}, nil)
	anon := pxClient{t: t, base: c.base}
	sess := anon.must("com.atproto.server.createSession", "", map[string]any{"identifier": handle, "password": ap["password"]}, nil)
	return pxClient{t: t, base: c.base, token: sess["accessJwt"].(string)}
}

// TestProxyToAppView is acceptance 5: calls this server does not answer
// reach a stand-in AppView, configured as HEARTH_APPVIEW, with a
// service-auth JWT that indigo verifies against the caller's DID document
// and whose lxm is the method; protected methods are refused before any
// service sees them.
func TestProxyToAppView(t *testing.T) { testdb.RunURL(t, testProxyToAppView) }

func testProxyToAppView(t *testing.T, dbURL func(testing.TB) string) {
	plcURL := testpds.StartPLC(t)
	appView := startPxService(t, plcURL, "bsky_appview", "BskyAppView")
	labeler := startPxService(t, plcURL, "atproto_labeler", "AtprotoLabeler")
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plcURL, ExtraArgs: []string{"--appview", appView.ref()}})
	alice, did := pxAccount(t, pds, "alice.test", "alice@example.com")

	out := alice.must("app.bsky.actor.getProfile", "actor=alice.test", nil, map[string]string{"Atproto-Accept-Labelers": "did:plc:labeler"})
	if out["iss"] != did {
		t.Fatalf("getProfile answer = %v", out)
	}
	seen := appView.calls()
	if len(seen) != 1 || seen[0].NSID != "app.bsky.actor.getProfile" || seen[0].Issuer.String() != did ||
		seen[0].Query != "actor=alice.test" || seen[0].Header.Get("Atproto-Accept-Labelers") != "did:plc:labeler" {
		t.Fatalf("AppView saw %+v", seen)
	}

	// A procedure streams its body through; chat needs a privileged token.
	alice.must("app.bsky.feed.sendInteractions", "", map[string]any{"interactions": []any{}}, nil)
	if got := appView.calls()[1]; got.Method != "POST" || got.Body != `{"interactions":[]}` {
		t.Errorf("procedure arrived as %+v", got)
	}
	plain := pxAppPassword(t, alice, "alice.test", false)
	plain.want(400, "InvalidToken", "chat.bsky.convo.listConvos", "", nil, nil)
	plain.must("app.bsky.feed.getTimeline", "", nil, nil)

	// The atproto-proxy header picks another service.
	if out := alice.must("app.bsky.labeler.getServices", "dids="+did, nil, map[string]string{"Atproto-Proxy": labeler.ref()}); out["iss"] != did {
		t.Errorf("labeler answer = %v", out)
	}
	if n := len(labeler.calls()); n != 1 {
		t.Errorf("labeler saw %d calls, want 1", n)
	}

	// Protected methods never leave the server, whatever the header says.
	before := len(appView.calls())
	alice.want(400, "InvalidToken", "com.atproto.admin.updateAccountSigningKey", "", map[string]any{"did": did, "signingKey": "did:key:z"}, nil)
	alice.want(400, "InvalidToken", "com.atproto.admin.updateAccountSigningKey", "", map[string]any{}, map[string]string{"Atproto-Proxy": appView.ref()})
	anon := pxClient{t: t, base: pds.URL}
	anon.want(401, "AuthRequired", "app.bsky.actor.getProfile", "actor=alice.test", nil, nil)
	alice.want(400, "InvalidRequest", "app.bsky.actor.getProfile", "", nil, map[string]string{"Atproto-Proxy": "did:plc:nobody"})
	alice.want(501, "MethodNotImplemented", "com.example.nothing", "", nil, nil)
	if n := len(appView.calls()); n != before {
		t.Errorf("refused calls reached the AppView (%d calls, want %d)", n, before)
	}
}

// TestProxyReportsAndPreferences: createReport goes to the service the
// atproto-proxy header names (the report service) with its body as sent;
// preferences stay local unless the header names another AppView.
func TestProxyReportsAndPreferences(t *testing.T) {
	plcURL := testpds.StartPLC(t)
	appView := startPxService(t, plcURL, "bsky_appview", "BskyAppView")
	other := startPxService(t, plcURL, "bsky_appview", "BskyAppView")
	labeler := startPxService(t, plcURL, "atproto_labeler", "AtprotoLabeler")
	reports := startPxService(t, plcURL, "atproto_labeler", "AtprotoLabeler")
	pds := testpds.Start(t, testpds.Options{PLCURL: plcURL, ExtraArgs: []string{"--appview", appView.ref(), "--report-service", reports.ref()}})
	alice, did := pxAccount(t, pds, "alice.test", "alice@example.com")

	report := map[string]any{
		"reasonType": "com.atproto.moderation.defs#reasonSpam", "reason": "spam",
		"subject": map[string]any{"$type": "com.atproto.admin.defs#repoRef", "did": did},
	}
	alice.must("com.atproto.moderation.createReport", "", report, map[string]string{"Atproto-Proxy": labeler.ref()})
	seen := labeler.calls()
	if len(seen) != 1 || seen[0].NSID != "com.atproto.moderation.createReport" || seen[0].Issuer.String() != did {
		t.Fatalf("report service saw %+v", seen)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(seen[0].Body), &sent); err != nil || sent["reason"] != "spam" {
		t.Errorf("report arrived as %q", seen[0].Body)
	}
	alice.must("com.atproto.moderation.createReport", "", report, nil) // no header: the configured report service
	if n := len(reports.calls()); n != 1 || len(appView.calls()) != 0 {
		t.Errorf("report service saw %d calls, the AppView %d; want 1 and 0", n, len(appView.calls()))
	}

	prefs := map[string]any{"preferences": []any{map[string]any{"$type": "app.bsky.actor.defs#adultContentPref", "enabled": true}}}
	alice.must("app.bsky.actor.putPreferences", "", prefs, nil)
	alice.must("app.bsky.actor.putPreferences", "", prefs, map[string]string{"Atproto-Proxy": appView.ref()})
	if got := alice.must("app.bsky.actor.getPreferences", "", nil, nil); len(got["preferences"].([]any)) != 1 {
		t.Errorf("local preferences = %v", got)
	}
	if out := alice.must("app.bsky.actor.getPreferences", "", nil, map[string]string{"Atproto-Proxy": other.ref()}); out["iss"] != did {
		t.Errorf("getPreferences for another AppView answered %v", out)
	}
	// Preferences for the configured AppView stay here: it saw no call.
	if n := len(other.calls()); n != 1 || len(appView.calls()) != 0 {
		t.Errorf("preference calls forwarded: other %d, configured AppView %d; want 1, 0", n, len(appView.calls()))
	}
}

// TestPreferencesRoundTrip: app.bsky preferences are stored here, in
// order, with the reference PDS's rules: only app.bsky types, a $type on
// each, declaredAgePref computed (never stored), personal details for full
// sessions only and kept through an app password's put.
func TestPreferencesRoundTrip(t *testing.T) { testdb.RunURL(t, testPreferencesRoundTrip) }

func testPreferencesRoundTrip(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	alice, _ := pxAccount(t, pds, "alice.test", "alice@example.com")
	if got := alice.must("app.bsky.actor.getPreferences", "", nil, nil)["preferences"].([]any); len(got) != 0 {
		t.Fatalf("new account has preferences %v", got)
	}
	adult := map[string]any{"$type": "app.bsky.actor.defs#adultContentPref", "enabled": true}
	personal := map[string]any{"$type": "app.bsky.actor.defs#personalDetailsPref", "birthDate": "1990-04-01T00:00:00.000Z"}
	feeds := map[string]any{"$type": "app.bsky.actor.defs#savedFeedsPrefV2", "items": []any{}}
	age := map[string]any{"$type": "app.bsky.actor.defs#declaredAgePref", "isOverAge13": false}
	alice.must("app.bsky.actor.putPreferences", "", map[string]any{"preferences": []any{adult, personal, feeds, age}}, nil)
	got := pxTypes(alice.must("app.bsky.actor.getPreferences", "", nil, nil))
	want := "adultContentPref personalDetailsPref savedFeedsPrefV2 declaredAgePref"
	if got != want {
		t.Errorf("full session reads %q, want %q", got, want)
	}

	app := pxAppPassword(t, alice, "alice.test", true)
	if got := pxTypes(app.must("app.bsky.actor.getPreferences", "", nil, nil)); got != "adultContentPref savedFeedsPrefV2 declaredAgePref" {
		t.Errorf("app password reads %q", got)
	}
	app.want(400, "InvalidRequest", "app.bsky.actor.putPreferences", "", map[string]any{"preferences": []any{personal}}, nil)
	app.must("app.bsky.actor.putPreferences", "", map[string]any{"preferences": []any{feeds}}, nil)
	if got := pxTypes(alice.must("app.bsky.actor.getPreferences", "", nil, nil)); got != "personalDetailsPref savedFeedsPrefV2 declaredAgePref" {
		t.Errorf("after an app password's put, full session reads %q", got)
	}

	alice.want(400, "InvalidRequest", "app.bsky.actor.putPreferences", "", map[string]any{"preferences": []any{map[string]any{"$type": "com.example.pref"}}}, nil)
	alice.want(400, "InvalidRequest", "app.bsky.actor.putPreferences", "", map[string]any{"preferences": []any{map[string]any{"enabled": true}}}, nil)
	alice.must("app.bsky.actor.putPreferences", "", map[string]any{"preferences": []any{}}, nil)
	if got := pxTypes(alice.must("app.bsky.actor.getPreferences", "", nil, nil)); got != "" {
		t.Errorf("after clearing: %q", got)
	}
}

// pxTypes lists the preference types of a getPreferences answer, without
// their namespace; the declaredAgePref flags must say over 18.
func pxTypes(out map[string]any) string {
	var types []string
	for _, p := range out["preferences"].([]any) {
		m := p.(map[string]any)
		typ := strings.TrimPrefix(m["$type"].(string), "app.bsky.actor.defs#")
		if typ == "declaredAgePref" && (m["isOverAge13"] != true || m["isOverAge18"] != true) {
			typ += "(wrong)"
		}
		types = append(types, typ)
	}
	return strings.Join(types, " ")
}
