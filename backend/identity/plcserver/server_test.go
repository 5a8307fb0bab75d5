package plcserver_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/identity/plcserver"
)

func TestDocumentShape(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)

	for _, path := range []string{"/" + a.did.String(), "/" + url.PathEscape(a.did.String()), "/" + strings.ReplaceAll(a.did.String(), ":", "%3A")} {
		status, ctype, body := get(t, base+path)
		if status != http.StatusOK || ctype != "application/did+ld+json" {
			t.Fatalf("GET %s: %d %s %s", path, status, ctype, body)
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"@context":    []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/suites/secp256k1-2019/v1"},
			"id":          a.did.String(),
			"alsoKnownAs": []any{"at://alice.test"},
			"verificationMethod": []any{map[string]any{
				"id": a.did.String() + "#atproto", "type": "Multikey", "controller": a.did.String(),
				"publicKeyMultibase": strings.TrimPrefix(pubOf(t, a.signing).DIDKey(), "did:key:"),
			}},
			"service": []any{map[string]any{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example.com"}},
		}
		if mustJSON(t, doc) != mustJSON(t, want) {
			t.Fatalf("document\n got %s\nwant %s", mustJSON(t, doc), mustJSON(t, want))
		}
	}
}

func TestReadEndpoints(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)
	upd := handleUpdate(t, a.genesis, a.keys[0], "alice2.test")
	mustSubmit(t, base, a.did, upd)
	did := a.did.String()

	var data struct {
		DID string `json:"did"`
		identity.OpData
	}
	getJSON(t, base+"/"+did+"/data", &data)
	if data.DID != did || data.AlsoKnownAs[0] != "at://alice2.test" || data.RotationKeys[0] != pubOf(t, a.keys[0]).DIDKey() {
		t.Errorf("/data = %+v", data)
	}
	var ops []identity.Operation
	getJSON(t, base+"/"+did+"/log", &ops)
	if len(ops) != 2 || ops[0].CID() != a.genesis.CID() || ops[1].CID() != upd.CID() {
		t.Errorf("/log = %d ops", len(ops))
	}
	var last identity.Operation
	getJSON(t, base+"/"+did+"/log/last", &last)
	if last.CID() != upd.CID() {
		t.Errorf("/log/last = %s, want %s", last.CID(), upd.CID())
	}
	var audit []identity.LogEntry
	getJSON(t, base+"/"+did+"/log/audit", &audit)
	if len(audit) != 2 || audit[1].CID != upd.CID() || !audit[1].CreatedAt.After(audit[0].CreatedAt) {
		t.Errorf("/log/audit = %+v", audit)
	}
	if err := identity.VerifyAuditLog(audit); err != nil {
		t.Errorf("audit log does not verify: %v", err)
	}
	var health map[string]string
	getJSON(t, base+"/_health", &health)
	if health["version"] != plcserver.Version {
		t.Errorf("/_health = %v", health)
	}
}

func TestUnknownDIDIs404(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	for _, path := range []string{"/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/data", "/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/log", "/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/log/audit", "/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/log/last", "/not-a-did", "/a/b/c/d"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		msg := message(t, resp)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, msg)
		}
		if strings.HasPrefix(path, "/did:plc") && msg != "DID not registered: did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" {
			t.Errorf("GET %s: message %q", path, msg)
		}
	}
}

func TestRejectsBadSignature(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)
	upd := mustJSON(t, handleUpdate(t, a.genesis, a.keys[0], "mallory.test"))

	tampered := strings.Replace(upd, "at://mallory.test", "at://eve.test", 1)
	assertRefused(t, base, a.did.String(), tampered, http.StatusBadRequest, "Invalid signature on op")

	var m map[string]any
	if err := json.Unmarshal([]byte(upd), &m); err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(m["sig"].(string))
	sig[10] ^= 0xff
	m["sig"] = base64.RawURLEncoding.EncodeToString(sig)
	assertRefused(t, base, a.did.String(), mustJSON(t, m), http.StatusBadRequest, "Invalid signature on op")

	// Signed by a key that is not a rotation key (built by hand: NewUpdate refuses).
	stranger := newAccount(t, "stranger.test", 1)
	foreign := mustJSON(t, handleUpdate(t, stranger.genesis, stranger.keys[0], "mallory.test"))
	var fm map[string]any
	_ = json.Unmarshal([]byte(foreign), &fm)
	m["sig"], m["prev"] = fm["sig"], a.genesis.CID()
	assertRefused(t, base, a.did.String(), mustJSON(t, m), http.StatusBadRequest, "Invalid signature on op")

	// A genesis signed by a key it does not list.
	var gm map[string]any
	_ = json.Unmarshal([]byte(mustJSON(t, stranger.genesis)), &gm)
	gm["rotationKeys"] = []string{pubOf(t, newKey(t)).DIDKey()}
	assertRefused(t, base, stranger.did.String(), mustJSON(t, gm), http.StatusBadRequest, "Invalid signature on op")
	assertState(t, base, a.did.String(), "at://alice.test", 1)
}

func TestRejectsWrongPrev(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)
	b := newAccount(t, "bob.test", 1)
	mustSubmit(t, base, b.did, b.genesis)

	// prev naming another DID's operation, then a second genesis.
	wrong := mustJSON(t, handleUpdate(t, b.genesis, b.keys[0], "x-bob.test"))
	assertRefused(t, base, a.did.String(), wrong, http.StatusBadRequest, "Operations not correctly ordered")
	assertRefused(t, base, a.did.String(), mustJSON(t, a.genesis), http.StatusBadRequest, "Operations not correctly ordered")

	// A fork at the genesis by the same (only) rotation key is no nullification.
	first := handleUpdate(t, a.genesis, a.keys[0], "alice2.test")
	mustSubmit(t, base, a.did, first)
	fork := mustJSON(t, handleUpdate(t, a.genesis, a.keys[0], "alice3.test"))
	assertRefused(t, base, a.did.String(), fork, http.StatusBadRequest, "Invalid signature on op")

	// An update of a DID that does not exist.
	c := newAccount(t, "carol.test", 1)
	orphan := mustJSON(t, handleUpdate(t, c.genesis, c.keys[0], "carol2.test"))
	assertRefused(t, base, c.did.String(), orphan, http.StatusBadRequest, "Operations not correctly ordered")
	assertState(t, base, a.did.String(), "at://alice2.test", 2)
}

func TestRejectsGenesisForOtherDID(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	b := newAccount(t, "bob.test", 1)
	assertRefused(t, base, b.did.String(), mustJSON(t, a.genesis), http.StatusBadRequest,
		"Hash of genesis operation does not match DID identifier: "+a.did.String())
	assertRefused(t, base, "not-a-did", mustJSON(t, a.genesis), http.StatusBadRequest, "Improperly formatted did")
	if status, _, _ := get(t, base+"/"+b.did.String()); status != http.StatusNotFound {
		t.Fatalf("refused genesis registered the DID: %d", status)
	}
}

func TestRejectsMalformedOperations(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	good := mustJSON(t, a.genesis)
	withField := func(k string, v any) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(good), &m)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return mustJSON(t, m)
	}
	bodies := map[string]string{
		"empty":             "",
		"truncated":         good[:len(good)/2],
		"not an object":     "[1,2,3]",
		"trailing data":     good + "{}",
		"no type":           withField("type", nil),
		"unknown type":      withField("type", "plc_whatever"),
		"legacy create":     withField("type", "create"),
		"unknown field":     withField("extra", true),
		"no sig":            withField("sig", nil),
		"no prev":           withField("prev", nil),
		"no services":       withField("services", nil),
		"null rotationKeys": withField("rotationKeys", json.RawMessage("null")),
		"rotationKeys type": withField("rotationKeys", "did:key:x"),
		"bad rotation key":  withField("rotationKeys", []string{"did:key:zNope"}),
		"long aka":          withField("alsoKnownAs", []string{"at://" + strings.Repeat("a", 300)}),
		"dup aka":           withField("alsoKnownAs", []string{"at://a.test", "at://a.test"}),
		"service extra":     withField("services", map[string]any{"atproto_pds": map[string]any{"type": "x", "endpoint": "y", "z": 1}}),
		"too large":         withField("alsoKnownAs", []string{strings.Repeat("a", 20000)}),
		"tombstone extra":   `{"type":"plc_tombstone","prev":"x","sig":"y","rotationKeys":[]}`,
	}
	for name, body := range bodies {
		status, msg := post(t, base, a.did.String(), body)
		if status != http.StatusBadRequest || msg == "" {
			t.Errorf("%s: %d %q, want 400 with a message", name, status, msg)
		}

	}
	if status, _, _ := get(t, base+"/"+a.did.String()); status != http.StatusNotFound {
		t.Fatalf("malformed submissions registered the DID: %d", status)
	}
	mustSubmit(t, base, a.did, a.genesis)
}

func TestTombstone(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)
	tomb, err := identity.NewTombstone(a.genesis, a.keys[0])
	if err != nil {
		t.Fatal(err)
	}
	mustSubmit(t, base, a.did, tomb)
	for _, p := range []string{"", "/data"} {
		resp, err := http.Get(base + "/" + a.did.String() + p)
		if err != nil {
			t.Fatal(err)
		}
		msg := message(t, resp)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || msg != "DID not available: "+a.did.String() {
			t.Errorf("GET %s of a tombstoned DID: %d %q", p, resp.StatusCode, msg)
		}
	}
	var last identity.Operation
	getJSON(t, base+"/"+a.did.String()+"/log/last", &last)
	if !last.IsTombstone() {
		t.Errorf("/log/last is not the tombstone: %s", last.Type())
	}
	// The tombstone's CID as prev: an update cannot follow a tombstone.
	after := strings.Replace(mustJSON(t, handleUpdate(t, a.genesis, a.keys[0], "zombie.test")), a.genesis.CID(), tomb.CID(), 1)
	assertRefused(t, base, a.did.String(), after, http.StatusBadRequest, "Operations not correctly ordered")
}

func TestNullificationByHigherPriorityKey(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	base := standIn(t, plcserver.Options{Now: clock.Now})
	a := newAccount(t, "alice.test", 2) // keys[0]: user recovery key, keys[1]: PDS key
	user, pds := a.keys[0], a.keys[1]
	mustSubmit(t, base, a.did, a.genesis)
	hijack := handleUpdate(t, a.genesis, pds, "hijacked.test")
	clock.Advance(time.Hour)
	mustSubmit(t, base, a.did, hijack)

	// The PDS key cannot fork its own history.
	clock.Advance(time.Hour)
	assertRefused(t, base, a.did.String(), mustJSON(t, handleUpdate(t, a.genesis, pds, "again.test")), http.StatusBadRequest, "Invalid signature on op")

	recover := handleUpdate(t, a.genesis, user, "alice.test")
	mustSubmit(t, base, a.did, recover)
	var audit []identity.LogEntry
	getJSON(t, base+"/"+a.did.String()+"/log/audit", &audit)
	if len(audit) != 3 || audit[0].Nullified || !audit[1].Nullified || audit[2].Nullified {
		t.Fatalf("audit log nullified flags: %+v", audit)
	}
	var ops []identity.Operation
	getJSON(t, base+"/"+a.did.String()+"/log", &ops)
	if len(ops) != 2 || ops[1].CID() != recover.CID() {
		t.Fatalf("/log after recovery has %d ops", len(ops))
	}
	assertState(t, base, a.did.String(), "at://alice.test", 2)
}

func TestNullificationWindow(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	base := standIn(t, plcserver.Options{Now: clock.Now})
	a := newAccount(t, "alice.test", 2)
	mustSubmit(t, base, a.did, a.genesis)
	mustSubmit(t, base, a.did, handleUpdate(t, a.genesis, a.keys[1], "hijacked.test"))
	clock.Advance(72*time.Hour + time.Second)
	late := mustJSON(t, handleUpdate(t, a.genesis, a.keys[0], "alice.test"))
	assertRefused(t, base, a.did.String(), late, http.StatusBadRequest, "outside of the allowed 72 hr recovery window")
}

func TestExport(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a, b := newAccount(t, "alice.test", 1), newAccount(t, "bob.test", 1)
	mustSubmit(t, base, a.did, a.genesis)
	mustSubmit(t, base, b.did, b.genesis)
	mustSubmit(t, base, a.did, handleUpdate(t, a.genesis, a.keys[0], "alice2.test"))

	status, ctype, body := get(t, base+"/export")
	lines := strings.Split(string(body), "\n")
	if status != http.StatusOK || ctype != "application/jsonlines" || len(lines) != 3 {
		t.Fatalf("/export: %d %s %d lines", status, ctype, len(lines))
	}
	var first identity.LogEntry
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.DID != a.did {
		t.Fatalf("first export line %s: %v", lines[0], err)
	}
	after := first.CreatedAt.Format(identity.TimeFormat)
	if _, _, body := get(t, base+"/export?after="+after); len(strings.Split(string(body), "\n")) != 2 {
		t.Errorf("/export?after=<first> = %s", body)
	}
	_, _, body = get(t, base+"/export?after=1&count=1")
	var seq struct {
		DID  string `json:"did"`
		Seq  int    `json:"seq"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &seq); err != nil || seq.Seq != 2 || seq.DID != b.did.String() || seq.Type != "sequenced_op" {
		t.Errorf("/export?after=1&count=1 = %s (%v)", body, err)
	}
	if status, _, _ := get(t, base+"/export?count=0"); status != http.StatusBadRequest {
		t.Errorf("/export?count=0: %d", status)
	}
}

func assertRefused(t *testing.T, base, did, body string, wantStatus int, wantMsg string) {
	t.Helper()
	status, msg := post(t, base, did, body)
	if status != wantStatus || !strings.Contains(msg, wantMsg) {
		t.Fatalf("POST /%s: %d %q; want %d containing %q", did, status, msg, wantStatus, wantMsg)
	}
}

// assertState checks the DID's declared handle and number of active ops.
func assertState(t *testing.T, base, did, wantAKA string, wantOps int) {
	t.Helper()
	var data identity.OpData
	getJSON(t, base+"/"+did+"/data", &data)
	var ops []identity.Operation
	getJSON(t, base+"/"+did+"/log", &ops)
	if len(data.AlsoKnownAs) == 0 || data.AlsoKnownAs[0] != wantAKA || len(ops) != wantOps {
		t.Fatalf("%s: alsoKnownAs %v with %d ops; want %s with %d", did, data.AlsoKnownAs, len(ops), wantAKA, wantOps)
	}
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	status, _, body := get(t, url)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

func TestConcurrentUpdatesOneWins(t *testing.T) {
	base := standIn(t, plcserver.Options{})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)
	const n = 8
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = mustJSON(t, handleUpdate(t, a.genesis, a.keys[0], fmt.Sprintf("racer%d.test", i)))
	}
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for _, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(base+"/"+a.did.String(), "application/json", strings.NewReader(body))
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for s := range statuses {
		switch s {
		case http.StatusOK:
			won++
		case http.StatusBadRequest:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	var ops []identity.Operation
	getJSON(t, base+"/"+a.did.String()+"/log", &ops)
	if won != 1 || len(ops) != 2 {
		t.Fatalf("%d updates accepted, log has %d ops; want 1 and 2", won, len(ops))
	}
}
