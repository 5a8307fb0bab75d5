package identity

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

func mustK256(t *testing.T) *atcrypto.PrivateKeyK256 {
	t.Helper()
	k, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func didKey(t *testing.T, k atcrypto.PrivateKey) string {
	t.Helper()
	pub, err := k.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub.DIDKey()
}

func genesisParams(t *testing.T, rot atcrypto.PrivateKey) GenesisParams {
	t.Helper()
	sig := mustK256(t)
	pub, err := sig.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return GenesisParams{
		SigningKey:   pub,
		RotationKeys: []string{didKey(t, rot)},
		Signer:       rot,
		Handle:       "alice.test",
		PDSEndpoint:  "https://pds.example.com",
	}
}

func TestNewGenesis(t *testing.T) {
	rot := mustK256(t)
	p := genesisParams(t, rot)
	did, op, err := NewGenesis(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(did.String(), "did:plc:") || len(did.String()) != len("did:plc:")+24 {
		t.Fatalf("DID = %q", did)
	}
	if !op.IsGenesis() || op.IsTombstone() || op.Prev() != "" || op.Type() != OpTypeRegular {
		t.Fatalf("genesis op flags wrong: %+v", op)
	}
	d, err := op.Data()
	if err != nil {
		t.Fatal(err)
	}
	if d.SigningKey() != p.SigningKey.DIDKey() || d.PDSEndpoint() != p.PDSEndpoint || d.RotationKeys[0] != didKey(t, rot) {
		t.Fatalf("data = %+v", d)
	}
	if h, ok := d.Handle(); !ok || h != "alice.test" {
		t.Fatalf("handle = %q, %v", h, ok)
	}
	if i, err := op.SignedBy(d.RotationKeys); err != nil || i != 0 {
		t.Fatalf("SignedBy = %d, %v", i, err)
	}
}

func TestNewGenesisJSONRoundTrip(t *testing.T) {
	did, op, err := NewGenesis(genesisParams(t, mustK256(t)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"type":"plc_operation"`, `"prev":null`, `"sig":"`, `"atproto_pds":{"type":"AtprotoPersonalDataServer"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("genesis JSON lacks %s: %s", field, b)
		}
	}
	var back Operation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.DID()
	if err != nil || got != did || back.CID() != op.CID() {
		t.Fatalf("round trip: DID %q (want %q), CID %s (want %s), err %v", got, did, back.CID(), op.CID(), err)
	}
}

func TestNewGenesisRefusesBadParams(t *testing.T) {
	rot := mustK256(t)
	cases := map[string]func(p *GenesisParams){
		"signer not a rotation key": func(p *GenesisParams) { p.RotationKeys = []string{didKey(t, mustK256(t))} },
		"no signing key":            func(p *GenesisParams) { p.SigningKey = nil },
		"relative endpoint":         func(p *GenesisParams) { p.PDSEndpoint = "pds.example.com" },
		"bad rotation key":          func(p *GenesisParams) { p.RotationKeys = append(p.RotationKeys, "did:key:nope") },
		"six rotation keys":         func(p *GenesisParams) { p.RotationKeys = append(p.RotationKeys, p.RotationKeys[0], "a", "b", "c", "d") },
		"no signer":                 func(p *GenesisParams) { p.Signer = nil },
	}
	for name, mutate := range cases {
		p := genesisParams(t, rot)
		mutate(&p)
		if _, _, err := NewGenesis(p); err == nil {
			t.Errorf("%s: NewGenesis accepted", name)
		}
	}
	p := genesisParams(t, rot)
	p.RotationKeys = []string{didKey(t, mustK256(t))}
	if _, _, err := NewGenesis(p); !errors.Is(err, ErrSignerNotRotationKey) {
		t.Errorf("foreign signer: error %v, want ErrSignerNotRotationKey", err)
	}
}

func TestNewGenesisDefaultsRotationKeyToSigner(t *testing.T) {
	rot := mustK256(t)
	p := genesisParams(t, rot)
	p.RotationKeys = nil
	_, op, err := NewGenesis(p)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := op.Data()
	if len(d.RotationKeys) != 1 || d.RotationKeys[0] != didKey(t, rot) {
		t.Fatalf("rotation keys = %v", d.RotationKeys)
	}
}

func TestNewUpdateAndTombstone(t *testing.T) {
	rot := mustK256(t)
	_, gen, err := NewGenesis(genesisParams(t, rot))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := gen.Data()
	d.SetHandle("bob.test")
	upd, err := NewUpdate(gen, d, rot)
	if err != nil {
		t.Fatal(err)
	}
	if upd.Prev() != gen.CID() || upd.IsGenesis() {
		t.Fatalf("update prev = %q, want %q", upd.Prev(), gen.CID())
	}
	if _, err := upd.DID(); err == nil {
		t.Fatal("DID() of an update succeeded")
	}
	if _, err := NewUpdate(gen, d, mustK256(t)); !errors.Is(err, ErrSignerNotRotationKey) {
		t.Fatalf("update by foreign key: %v", err)
	}
	tomb, err := NewTombstone(upd, rot)
	if err != nil {
		t.Fatal(err)
	}
	if !tomb.IsTombstone() || tomb.Prev() != upd.CID() {
		t.Fatalf("tombstone = %+v", tomb)
	}
	if _, err := tomb.Data(); !errors.Is(err, ErrTombstoned) {
		t.Fatalf("tombstone Data error = %v", err)
	}
	if _, err := NewUpdate(tomb, d, rot); !errors.Is(err, ErrTombstoned) {
		t.Fatalf("update after tombstone: %v", err)
	}
}

func TestVerifyAuditLog(t *testing.T) {
	rot := mustK256(t)
	did, gen, err := NewGenesis(genesisParams(t, rot))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := gen.Data()
	d.SetHandle("carol.test")
	upd, err := NewUpdate(gen, d, rot)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	log := []LogEntry{
		{DID: did, Operation: gen, CID: gen.CID(), CreatedAt: t0},
		{DID: did, Operation: upd, CID: upd.CID(), CreatedAt: t0.Add(time.Second)},
	}
	if err := VerifyAuditLog(log); err != nil {
		t.Fatalf("valid log refused: %v", err)
	}
	swapped := []LogEntry{log[1], log[0]}
	if err := VerifyAuditLog(swapped); err == nil {
		t.Fatal("misordered log accepted")
	}
	other := append([]LogEntry{}, log...)
	other[0].DID = syntax.DID("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
	other[1].DID = other[0].DID
	if err := VerifyAuditLog(other); !errors.Is(err, ErrInvalidOperation) {
		t.Fatalf("log under the wrong DID: %v", err)
	}
}

func TestLogEntryJSON(t *testing.T) {
	did, gen, err := NewGenesis(genesisParams(t, mustK256(t)))
	if err != nil {
		t.Fatal(err)
	}
	e := LogEntry{DID: did, Operation: gen, CID: gen.CID(), CreatedAt: time.Date(2025, 7, 25, 15, 50, 58, 440_000_000, time.UTC)}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"createdAt":"2025-07-25T15:50:58.440Z"`) || !strings.Contains(string(b), `"operation":{"type":"plc_operation"`) {
		t.Fatalf("entry JSON = %s", b)
	}
	var back LogEntry
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.CreatedAt.Equal(e.CreatedAt) || back.CID != e.CID || back.DID != did || back.Operation.CID() != gen.CID() {
		t.Fatalf("round trip = %+v", back)
	}
}

func TestFormatDocument(t *testing.T) {
	k := mustK256(t)
	p, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	did := syntax.DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
	d := OpData{
		VerificationMethods: map[string]string{"zlabel": didKey(t, p), "atproto": didKey(t, k)},
		AlsoKnownAs:         []string{"at://alice.test"},
		Services: map[string]OpService{
			"atproto_labeler": {Type: "AtprotoLabeler", Endpoint: "https://labeler.example.com"},
			"atproto_pds":     {Type: ServiceTypePDS, Endpoint: "https://pds.example.com"},
		},
	}
	doc, err := FormatDocument(did, d)
	if err != nil {
		t.Fatal(err)
	}
	wantCtx := []string{contextDID, contextMultikey, contextSecp256k1, contextP256}
	if strings.Join(doc.Context, " ") != strings.Join(wantCtx, " ") {
		t.Errorf("@context = %v, want %v", doc.Context, wantCtx)
	}
	vm := doc.VerificationMethod[0]
	if vm.ID != did.String()+"#atproto" || vm.Type != "Multikey" || vm.Controller != did.String() || "did:key:"+vm.PublicKeyMultibase != didKey(t, k) {
		t.Errorf("verificationMethod[0] = %+v", vm)
	}
	if doc.Service[0].ID != "#atproto_pds" || doc.Service[0].ServiceEndpoint != "https://pds.example.com" || doc.Service[1].ID != "#atproto_labeler" {
		t.Errorf("service = %+v", doc.Service)
	}
	empty, err := FormatDocument(did, OpData{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(empty)
	if !strings.Contains(string(b), `"alsoKnownAs":[]`) || !strings.Contains(string(b), `"service":[]`) {
		t.Errorf("empty document JSON = %s", b)
	}
}
