package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestAccountDeletion runs requestAccountDelete and deleteAccount with the
// token read from the mail.
func TestAccountDeletion(t *testing.T) { testdb.RunURL(t, testAccountDeletion) }

func testAccountDeletion(t *testing.T, dbURL func(testing.TB) string) {
	ctx := context.Background()
	pds, smtp := lcMailPDS(t, dbURL(t), "")
	c, s := lcSignUp(t, pds, "dora.test", "dora@example.com")
	c.must("com.atproto.repo.createRecord", "", "", map[string]any{"repo": s.DID, "collection": "app.bsky.feed.post", "record": lcPost("bye")}, nil)

	var ap struct {
		Password string `json:"password"`
	}
	c.must("com.atproto.server.createAppPassword", "", "", map[string]any{"name": "phone", "privileged": true}, &ap)
	var apSess lcSession
	c.as("").must("com.atproto.server.createSession", "", "", map[string]string{"identifier": "dora.test", "password": ap.Password}, &apSess)
	c.as(apSess.AccessJwt).want(http.StatusBadRequest, "InvalidToken", "com.atproto.server.requestAccountDelete", "", "application/json", nil)

	c.must("com.atproto.server.requestAccountDelete", "", "application/json", nil, nil)
	token := lcMailedToken(t, smtp, "dora@example.com")
	anon := c.as("")
	del := func(password, token string) map[string]string {
		return map[string]string{"did": s.DID, "password": password, "token": token}
	}
	anon.want(http.StatusUnauthorized, "AuthenticationRequired", "com.atproto.server.deleteAccount", "", "", del("wrong password", token))
	anon.want(http.StatusUnauthorized, "AuthenticationRequired", "com.atproto.server.deleteAccount", "", "", del(ap.Password, token))
	anon.want(http.StatusBadRequest, "InvalidToken", "com.atproto.server.deleteAccount", "", "", del(lcPassword, "AAAAA-BBBBB"))
	anon.must("com.atproto.server.deleteAccount", "", "", del(lcPassword, token), nil)

	if _, err := pds.Server.Store().GetAccount(ctx, s.DID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("account still stored: %v", err)
	}
	if _, err := pds.Server.Store().GetRepoRoot(ctx, s.DID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("repo still stored: %v", err)
	}
	if types := lcEventTypes(t, pds, s.DID); types[len(types)-1] != "#account" {
		t.Errorf("deletion events: %v", types)
	}
	anon.want(http.StatusNotFound, "RepoNotFound", "com.atproto.sync.getRepo", "did="+s.DID, "", nil)
	anon.want(http.StatusUnauthorized, "AuthenticationRequired", "com.atproto.server.createSession", "", "", map[string]string{"identifier": "dora.test", "password": lcPassword})
	anon.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.server.deleteAccount", "", "", del(lcPassword, token))
	lcSignUp(t, pds, "dora.test", "dora@example.com") // the handle and email are free again
}

// staticHandles resolves handles from a map (no DNS in tests).
type staticHandles map[string]string

func (m staticHandles) ResolveHandle(_ context.Context, h syntax.Handle) (syntax.DID, error) {
	if did, ok := m[h.Normalize().String()]; ok {
		return syntax.DID(did), nil
	}
	return "", errors.New("handle not found")
}

// TestUpdateHandle changes handles under the service domain and outside
// it, and checks the DID document, resolution and #identity events.
func TestUpdateHandle(t *testing.T) { testdb.RunURL(t, testUpdateHandle) }

func testUpdateHandle(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	c, s := lcSignUp(t, pds, "erin.test", "")
	lcSignUp(t, pds, "frank.test", "")
	upd := func(h string) map[string]string { return map[string]string{"handle": h} }
	identities := func() int {
		n := 0
		for _, typ := range lcEventTypes(t, pds, s.DID) {
			if typ == "#identity" {
				n++
			}
		}
		return n
	}
	before := identities()
	c.must("com.atproto.identity.updateHandle", "", "", upd("Erin2.test"), nil)
	if aka := lcPLCData(t, pds.PLCURL, s.DID)["alsoKnownAs"].([]any); aka[0] != "at://erin2.test" {
		t.Errorf("PLC alsoKnownAs: %v", aka)
	}
	var res struct {
		DID string `json:"did"`
	}
	c.as("").must("com.atproto.identity.resolveHandle", "handle=erin2.test", "", nil, &res)
	if res.DID != s.DID {
		t.Errorf("erin2.test resolves to %q", res.DID)
	}
	c.as("").want(http.StatusBadRequest, "HandleNotFound", "com.atproto.identity.resolveHandle", "handle=erin.test", "", nil)
	c.must("com.atproto.identity.updateHandle", "", "", upd("erin2.test"), nil) // same handle: re-emits #identity
	if got := identities(); got != before+2 {
		t.Errorf("#identity events: %d, want %d", got, before+2)
	}
	c.want(http.StatusBadRequest, "HandleNotAvailable", "com.atproto.identity.updateHandle", "", "", upd("frank.test"))
	c.want(http.StatusBadRequest, "InvalidHandle", "com.atproto.identity.updateHandle", "", "", upd("x.test"))

	pds.Server.Lifecycle().SetHandleResolver(staticHandles{"erin.example.org": s.DID, "other.example.org": "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"})
	c.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.identity.updateHandle", "", "", upd("other.example.org"))
	c.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.identity.updateHandle", "", "", upd("nobody.example.org"))
	c.must("com.atproto.identity.updateHandle", "", "", upd("erin.example.org"), nil)
	if aka := lcPLCData(t, pds.PLCURL, s.DID)["alsoKnownAs"].([]any); aka[0] != "at://erin.example.org" {
		t.Errorf("PLC alsoKnownAs after external handle: %v", aka)
	}
	var sess lcSession
	c.must("com.atproto.server.getSession", "", "", nil, &sess)
	if sess.Handle != "erin.example.org" {
		t.Errorf("session handle %q", sess.Handle)
	}
}

// TestIdentityResolution resolves a hosted account by DID and by handle.
func TestIdentityResolution(t *testing.T) { testdb.RunURL(t, testIdentityResolution) }

func testIdentityResolution(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	c, s := lcSignUp(t, pds, "gina.test", "")
	anon := c.as("")
	var doc struct {
		DIDDoc map[string]any `json:"didDoc"`
	}
	anon.must("com.atproto.identity.resolveDid", "did="+s.DID, "", nil, &doc)
	if doc.DIDDoc["id"] != s.DID {
		t.Errorf("resolveDid: %v", doc.DIDDoc)
	}
	type info struct {
		DID    string         `json:"did"`
		Handle string         `json:"handle"`
		DIDDoc map[string]any `json:"didDoc"`
	}
	for _, id := range []string{s.DID, "gina.test", "GINA.test"} {
		var got info
		anon.must("com.atproto.identity.resolveIdentity", url.Values{"identifier": {id}}.Encode(), "", nil, &got)
		if got.DID != s.DID || got.Handle != "gina.test" || got.DIDDoc["id"] != s.DID {
			t.Errorf("resolveIdentity(%s) = %+v", id, got)
		}
	}
	var got info
	anon.must("com.atproto.identity.refreshIdentity", "", "", map[string]string{"identifier": s.DID}, &got)
	if got.DID != s.DID || got.Handle != "gina.test" {
		t.Errorf("refreshIdentity = %+v", got)
	}
	anon.want(http.StatusBadRequest, "DidNotFound", "com.atproto.identity.resolveDid", "did=did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", "", nil)
}

// TestServiceAuthOnUploadBlob uploads a blob with a service-auth token, as
// the video service does, and checks replay and method binding.
func TestServiceAuthOnUploadBlob(t *testing.T) { testdb.RunURL(t, testServiceAuthOnUploadBlob) }

func testServiceAuthOnUploadBlob(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	c, _ := lcSignUp(t, pds, "hana.test", "")
	aud := lcServiceDID(t, pds)
	token := func(lxm string) string {
		var out struct {
			Token string `json:"token"`
		}
		c.must("com.atproto.server.getServiceAuth", url.Values{"aud": {aud}, "lxm": {lxm}}.Encode(), "", nil, &out)
		return out.Token
	}
	up := token("com.atproto.repo.uploadBlob")
	var out struct {
		Blob map[string]any `json:"blob"`
	}
	c.as(up).must("com.atproto.repo.uploadBlob", "", "image/png", lcPNG, &out)
	if out.Blob["mimeType"] != "image/png" {
		t.Errorf("uploaded with service auth: %v", out.Blob)
	}
	c.as(up).want(http.StatusUnauthorized, "BadJwt", "com.atproto.repo.uploadBlob", "", "image/png", lcPNG)
	c.as(token("app.bsky.feed.getTimeline")).want(http.StatusUnauthorized, "BadJwtLexiconMethod", "com.atproto.repo.uploadBlob", "", "image/png", lcPNG)
	c.as(token("com.atproto.repo.uploadBlob")).want(http.StatusUnauthorized, "InvalidToken", "com.atproto.repo.createRecord", "", "", map[string]any{})
}
