package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/mail/mailtest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestAccountMigration moves an account between two Hearth instances that
// share one PLC directory, as account-migration tools do: service auth
// from the old PDS, createAccount with the DID on the new one, importRepo,
// blobs, recommended credentials, a PLC operation signed by the old PDS
// (emailed token) and submitted by the new one, activation of the new
// account and deactivation of the old.
func TestAccountMigration(t *testing.T) { testdb.RunURL(t, testAccountMigration) }

type lcCreds struct {
	RotationKeys        []string          `json:"rotationKeys"`
	AlsoKnownAs         []string          `json:"alsoKnownAs"`
	VerificationMethods map[string]string `json:"verificationMethods"`
	Services            map[string]any    `json:"services"`
}

type lcStatus struct {
	Activated      bool   `json:"activated"`
	ValidDid       bool   `json:"validDid"`
	RepoCommit     string `json:"repoCommit"`
	RepoRev        string `json:"repoRev"`
	RepoBlocks     int    `json:"repoBlocks"`
	IndexedRecords int    `json:"indexedRecords"`
	ExpectedBlobs  int    `json:"expectedBlobs"`
	ImportedBlobs  int    `json:"importedBlobs"`
}

// lcMigration is the state of one migration test.
type lcMigration struct {
	t            *testing.T
	plc          string
	oldPDS       *testpds.PDS
	newPDS       *testpds.PDS
	old, new     *lcClient // logged in on each side
	did, email   string
	blobCID      string
	oldRev       string
	reservedKey  string
	serviceToken string
}

func testAccountMigration(t *testing.T, dbURL func(testing.TB) string) {
	plc := testpds.StartPLC(t)
	oldPDS, smtp := lcMailPDS(t, dbURL(t), plc)
	m := &lcMigration{t: t, plc: plc, oldPDS: oldPDS, newPDS: testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc})}
	m.email = "alice@example.com"
	var s lcSession
	m.old, s = lcSignUp(t, oldPDS, "alice.test", m.email)
	m.did = s.DID
	m.fillOldRepo()
	m.createOnNew()
	m.importRepo()
	m.moveBlobs()
	m.switchDID(smtp)
	m.activate()
	m.writeAfterMigration()
}

// fillOldRepo writes posts and a profile whose avatar is a blob.
func (m *lcMigration) fillOldRepo() {
	for i := range 5 {
		m.old.must("com.atproto.repo.createRecord", "", "", map[string]any{"repo": m.did, "collection": "app.bsky.feed.post", "record": lcPost(fmt.Sprint("post ", i))}, nil)
	}
	var up struct {
		Blob map[string]any `json:"blob"`
	}
	m.old.must("com.atproto.repo.uploadBlob", "", "image/png", lcPNG, &up)
	m.blobCID = up.Blob["ref"].(map[string]any)["$link"].(string)
	profile := map[string]any{"$type": "app.bsky.actor.profile", "displayName": "Alice", "avatar": up.Blob}
	m.old.must("com.atproto.repo.putRecord", "", "", map[string]any{"repo": m.did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": profile}, nil)
}

// createOnNew reserves a key, gets a service-auth token from the old PDS
// and creates the account on the new one; the token cannot be replayed.
func (m *lcMigration) createOnNew() {
	t, anon := m.t, &lcClient{t: m.t, base: m.newPDS.URL}
	var reserved struct {
		SigningKey string `json:"signingKey"`
	}
	anon.must("com.atproto.server.reserveSigningKey", "", "", map[string]string{"did": m.did}, &reserved)
	m.reservedKey = reserved.SigningKey
	var again struct {
		SigningKey string `json:"signingKey"`
	}
	anon.must("com.atproto.server.reserveSigningKey", "", "", map[string]string{"did": m.did}, &again)
	if again.SigningKey != m.reservedKey {
		t.Errorf("second reservation for the DID gave another key")
	}
	q := url.Values{"aud": {lcServiceDID(t, m.newPDS)}, "lxm": {"com.atproto.server.createAccount"}, "exp": {strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10)}}
	var tok struct {
		Token string `json:"token"`
	}
	m.old.must("com.atproto.server.getServiceAuth", q.Encode(), "", nil, &tok)
	m.serviceToken = tok.Token
	body := map[string]string{"handle": "alice.test", "did": m.did, "email": m.email, "password": lcPassword}
	anon.want(http.StatusUnauthorized, "AuthRequired", "com.atproto.server.createAccount", "", "", body)
	var s lcSession
	anon.as(m.serviceToken).must("com.atproto.server.createAccount", "", "", body, &s)
	if s.DID != m.did || s.Handle != "alice.test" || s.AccessJwt == "" {
		t.Fatalf("createAccount with DID: %+v", s)
	}
	m.new = anon.as(s.AccessJwt)
	anon.as(m.serviceToken).want(http.StatusUnauthorized, "BadJwt", "com.atproto.server.createAccount", "", "", body)
	var sess lcSession
	m.new.must("com.atproto.server.getSession", "", "", nil, &sess)
	if sess.Active == nil || *sess.Active || sess.Status != "deactivated" {
		t.Errorf("new account should start deactivated: %+v", sess)
	}
	if types := lcEventTypes(t, m.newPDS, m.did); len(types) != 0 {
		t.Errorf("a deactivated new account emitted %v", types)
	}
}

// importRepo copies the repo over and checks what checkAccountStatus says.
func (m *lcMigration) importRepo() {
	t := m.t
	var st lcStatus
	m.new.must("com.atproto.server.checkAccountStatus", "", "", nil, &st)
	if st.Activated || st.ValidDid || st.IndexedRecords != 0 {
		t.Errorf("status before import: %+v", st)
	}
	var car []byte
	m.old.as("").must("com.atproto.sync.getRepo", "did="+m.did, "", nil, &car)
	oldCommit, _ := lcHeadCommit(t, m.old, m.plc, m.did)
	m.oldRev = oldCommit.Rev
	m.new.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.repo.importRepo", "", "application/json", car)
	m.new.must("com.atproto.repo.importRepo", "", "application/vnd.ipld.car", car, nil)
	m.new.must("com.atproto.server.checkAccountStatus", "", "", nil, &st)
	if st.Activated || st.ValidDid || st.IndexedRecords != 6 || st.ExpectedBlobs != 1 || st.ImportedBlobs != 0 || st.RepoRev <= m.oldRev || st.RepoBlocks == 0 {
		t.Errorf("status after import: %+v (old rev %s)", st, m.oldRev)
	}
	var rec struct {
		Value map[string]any `json:"value"`
	}
	m.new.as("").must("com.atproto.repo.getRecord", url.Values{"repo": {m.did}, "collection": {"app.bsky.actor.profile"}, "rkey": {"self"}}.Encode(), "", nil, &rec)
	if rec.Value["displayName"] != "Alice" {
		t.Errorf("imported profile: %v", rec.Value)
	}
	if types := lcEventTypes(t, m.newPDS, m.did); len(types) != 1 || types[0] != "#sync" {
		t.Errorf("import events: %v, want one #sync", types)
	}
}

// moveBlobs uploads the missing blob to the new PDS.
func (m *lcMigration) moveBlobs() {
	t := m.t
	var missing struct {
		Blobs []struct {
			CID string `json:"cid"`
		} `json:"blobs"`
	}
	m.new.must("com.atproto.repo.listMissingBlobs", "", "", nil, &missing)
	if len(missing.Blobs) != 1 || missing.Blobs[0].CID != m.blobCID {
		t.Fatalf("missing blobs: %+v, want %s", missing, m.blobCID)
	}
	var blob []byte
	m.old.as("").must("com.atproto.sync.getBlob", url.Values{"did": {m.did}, "cid": {m.blobCID}}.Encode(), "", nil, &blob)
	m.new.must("com.atproto.repo.uploadBlob", "", "image/png", blob, nil)
	var st lcStatus
	m.new.must("com.atproto.server.checkAccountStatus", "", "", nil, &st)
	if st.ExpectedBlobs != 1 || st.ImportedBlobs != 1 {
		t.Errorf("blobs after upload: %+v", st)
	}
}

// switchDID points the DID at the new PDS: credentials from the new PDS,
// an operation signed by the old one with an emailed token, submitted by
// the new one.
func (m *lcMigration) switchDID(smtp *mailtest.Server) {
	t := m.t
	var creds lcCreds
	m.new.must("com.atproto.identity.getRecommendedDidCredentials", "", "", nil, &creds)
	if creds.VerificationMethods["atproto"] != m.reservedKey {
		t.Errorf("the new signing key %s is not the reserved key %s", creds.VerificationMethods["atproto"], m.reservedKey)
	}
	if len(creds.RotationKeys) != 1 || !lcContains(creds.AlsoKnownAs, "at://alice.test") {
		t.Errorf("credentials: %+v", creds)
	}
	m.old.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.identity.signPlcOperation", "", "", map[string]any{})
	m.old.must("com.atproto.identity.requestPlcOperationSignature", "", "application/json", nil, nil)
	token := lcMailedToken(t, smtp, m.email)
	signIn := map[string]any{"token": "AAAAA-BBBBB", "rotationKeys": creds.RotationKeys, "alsoKnownAs": creds.AlsoKnownAs,
		"verificationMethods": creds.VerificationMethods, "services": creds.Services}
	m.old.want(http.StatusBadRequest, "InvalidToken", "com.atproto.identity.signPlcOperation", "", "", signIn)
	signIn["token"] = token
	var signed struct {
		Operation map[string]any `json:"operation"`
	}
	m.old.must("com.atproto.identity.signPlcOperation", "", "", signIn, &signed)
	m.old.want(http.StatusBadRequest, "InvalidToken", "com.atproto.identity.signPlcOperation", "", "", signIn)
	if signed.Operation["sig"] == nil || signed.Operation["prev"] == nil {
		t.Fatalf("signed operation: %v", signed.Operation)
	}
	bad := map[string]any{}
	for k, v := range signed.Operation {
		bad[k] = v
	}
	bad["services"] = map[string]any{"atproto_pds": map[string]any{"type": "AtprotoPersonalDataServer", "endpoint": "https://elsewhere.example.com"}}
	m.new.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.identity.submitPlcOperation", "", "", map[string]any{"operation": bad})
	// Before the switch the new PDS's rotation key cannot change the DID.
	m.new.want(http.StatusBadRequest, "InvalidRequest", "com.atproto.identity.updateHandle", "", "", map[string]string{"handle": "alice-moved.test"})
	m.new.must("com.atproto.identity.submitPlcOperation", "", "", map[string]any{"operation": signed.Operation}, nil)
	data := lcPLCData(t, m.plc, m.did)
	if vm := data["verificationMethods"].(map[string]any); vm["atproto"] != m.reservedKey {
		t.Errorf("PLC data after the switch: %v", data)
	}
	if types := lcEventTypes(t, m.newPDS, m.did); !lcContains(types, "#identity") {
		t.Errorf("submitPlcOperation emitted no #identity: %v", types)
	}
}

// activate activates the new account and deactivates the old one.
func (m *lcMigration) activate() {
	t := m.t
	before := len(lcEventTypes(t, m.newPDS, m.did))
	m.new.must("com.atproto.server.activateAccount", "", "application/json", nil, nil)
	var st lcStatus
	m.new.must("com.atproto.server.checkAccountStatus", "", "", nil, &st)
	if !st.Activated || !st.ValidDid {
		t.Errorf("status after activation: %+v", st)
	}
	if types := lcEventTypes(t, m.newPDS, m.did)[before:]; fmt.Sprint(types) != "[#account #identity #sync]" {
		t.Errorf("activation events: %v", types)
	}
	m.old.must("com.atproto.server.deactivateAccount", "", "", map[string]any{}, nil)
	var sess lcSession
	m.old.must("com.atproto.server.getSession", "", "", nil, &sess)
	if sess.Active == nil || *sess.Active || sess.Status != "deactivated" {
		t.Errorf("old account after deactivation: %+v", sess)
	}
	if types := lcEventTypes(t, m.oldPDS, m.did); types[len(types)-1] != "#account" {
		t.Errorf("deactivation events on the old PDS: %v", types)
	}
	var old lcStatus
	m.old.must("com.atproto.server.checkAccountStatus", "", "", nil, &old)
	if old.Activated || old.ValidDid {
		t.Errorf("old PDS status after the move: %+v", old)
	}
}

// writeAfterMigration writes on the new PDS; its commits verify with the
// key the DID document names.
func (m *lcMigration) writeAfterMigration() {
	t := m.t
	lcHeadCommit(t, m.new, m.plc, m.did)
	m.new.must("com.atproto.repo.createRecord", "", "", map[string]any{"repo": m.did, "collection": "app.bsky.feed.post", "record": lcPost("hello from the new home")}, nil)
	commit, r := lcHeadCommit(t, m.new, m.plc, m.did)
	if commit.Rev <= m.oldRev {
		t.Errorf("rev went back: %s after %s", commit.Rev, m.oldRev)
	}
	n := 0
	if err := r.MST.Walk(func([]byte, cid.Cid) error { n++; return nil }); err != nil || n != 7 {
		t.Errorf("records after the move: %d (%v)", n, err)
	}
	// The new PDS now controls the DID: a handle change goes through.
	m.new.must("com.atproto.identity.updateHandle", "", "", map[string]string{"handle": "alice-moved.test"}, nil)
	if aka := lcPLCData(t, m.plc, m.did)["alsoKnownAs"].([]any); aka[0] != "at://alice-moved.test" {
		t.Errorf("alsoKnownAs after the handle change: %v", aka)
	}
}
