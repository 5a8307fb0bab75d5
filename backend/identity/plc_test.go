package identity_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/identity/plcserver"
)

// directoryURL returns the PLC directory the client tests run against: the
// one named by HEARTH_TEST_PLC_URL (for example the reference
// @did-plc/server on loopback), otherwise a fresh local stand-in.
func directoryURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("HEARTH_TEST_PLC_URL"); u != "" {
		return u
	}
	srv, err := plcserver.New(plcserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

type keys struct {
	signing, rotation atcrypto.PrivateKey
}

func newKeys(t *testing.T) keys {
	t.Helper()
	var ks [2]atcrypto.PrivateKey
	for i := range ks {
		k, err := atcrypto.GeneratePrivateKeyK256()
		if err != nil {
			t.Fatal(err)
		}
		ks[i] = k
	}
	return keys{signing: ks[0], rotation: ks[1]}
}

func pub(t *testing.T, k atcrypto.PrivateKey) atcrypto.PublicKey {
	t.Helper()
	p, err := k.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func params(t *testing.T, ks keys, handle string) identity.GenesisParams {
	return identity.GenesisParams{
		SigningKey:   pub(t, ks.signing),
		RotationKeys: []string{pub(t, ks.rotation).DIDKey()},
		Signer:       ks.rotation,
		Handle:       syntax.Handle(handle),
		PDSEndpoint:  "http://localhost:2583",
	}
}

func TestCreateDIDResolvesThroughIndigo(t *testing.T) {
	ctx := context.Background()
	url := directoryURL(t)
	c := identity.NewPLCClient(url, &http.Client{})
	ks := newKeys(t)
	did, op, err := c.CreateDID(ctx, params(t, ks, "alice.test"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := op.DID(); got != did {
		t.Fatalf("op DID %s != %s", got, did)
	}

	base := &indigoid.BaseDirectory{PLCURL: url, HTTPClient: http.Client{}, SkipDNSDomainSuffixes: []string{".test"}}
	dirs := map[string]indigoid.Directory{
		"BaseDirectory": base,
		"NewDirectory":  identity.NewDirectory(identity.DirectoryConfig{PLCURL: url, SkipDNSDomainSuffixes: []string{".test"}}),
	}
	for name, dir := range dirs {
		ident, err := dir.LookupDID(ctx, did)
		if err != nil {
			t.Fatalf("%s: LookupDID: %v", name, err)
		}
		assertIdentity(t, ident, "alice.test", "http://localhost:2583", pub(t, ks.signing))
	}
}

func assertIdentity(t *testing.T, ident *indigoid.Identity, handle, endpoint string, signing atcrypto.PublicKey) {
	t.Helper()
	declared, err := ident.DeclaredHandle()
	if err != nil || declared.String() != handle {
		t.Errorf("declared handle = %q, %v; want %s", declared, err, handle)
	}
	if ident.PDSEndpoint() != endpoint {
		t.Errorf("PDS endpoint = %q, want %s", ident.PDSEndpoint(), endpoint)
	}
	key, err := ident.PublicKey()
	if err != nil || key.DIDKey() != signing.DIDKey() {
		t.Errorf("signing key = %v, %v; want %s", key, err, signing.DIDKey())
	}
}

func TestGenesisComputedLocallySubmittedLater(t *testing.T) {
	ctx := context.Background()
	c := identity.NewPLCClient(directoryURL(t), nil)
	ks := newKeys(t)
	did, op, err := identity.NewGenesis(params(t, ks, "later.test"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Document(ctx, did)
	var dirErr *identity.DirectoryError
	if !errors.Is(err, identity.ErrNotFound) || !errors.As(err, &dirErr) || dirErr.StatusCode != 404 {
		t.Fatalf("document before submit: %v", err)
	}
	if err := c.Submit(ctx, did, op); err != nil {
		t.Fatal(err)
	}
	doc, err := c.Document(ctx, did)
	if err != nil || doc.ID != did.String() || doc.AlsoKnownAs[0] != "at://later.test" {
		t.Fatalf("document after submit: %+v, %v", doc, err)
	}
	// Submitting the same genesis again is refused, with the directory's message.
	err = c.Submit(ctx, did, op)
	if !errors.As(err, &dirErr) || dirErr.StatusCode != 400 || !strings.Contains(dirErr.Message, "not correctly ordered") {
		t.Fatalf("second genesis: %v", err)
	}
}

func TestUpdateHandleChains(t *testing.T) {
	ctx := context.Background()
	url := directoryURL(t)
	c := identity.NewPLCClient(url, nil)
	ks := newKeys(t)
	did, gen, err := c.CreateDID(ctx, params(t, ks, "alice.test"))
	if err != nil {
		t.Fatal(err)
	}
	upd, err := c.UpdateHandle(ctx, did, ks.rotation, "alice2.test")
	if err != nil {
		t.Fatal(err)
	}
	if upd.Prev() != gen.CID() {
		t.Fatalf("update prev %s, want %s", upd.Prev(), gen.CID())
	}
	moved, err := c.Update(ctx, did, ks.rotation, func(d *identity.OpData) error {
		d.SetPDSEndpoint("https://new-pds.example.com")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	audit, err := c.AuditLog(ctx, did)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 3 || audit[1].CID != upd.CID() || audit[2].CID != moved.CID() || audit[2].Operation.Prev() != upd.CID() {
		t.Fatalf("audit log = %+v", audit)
	}
	if err := identity.VerifyAuditLog(audit); err != nil {
		t.Fatalf("audit log does not verify: %v", err)
	}
	ops, err := c.Log(ctx, did)
	if err != nil || len(ops) != 3 {
		t.Fatalf("log: %d ops, %v", len(ops), err)
	}
	data, err := c.Data(ctx, did)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := data.Handle(); h != "alice2.test" || data.PDSEndpoint() != "https://new-pds.example.com" || data.SigningKey() != pub(t, ks.signing).DIDKey() {
		t.Fatalf("data after updates = %+v", data)
	}
	dir := identity.NewDirectory(identity.DirectoryConfig{PLCURL: url, SkipDNSDomainSuffixes: []string{".test"}})
	ident, err := dir.LookupDID(ctx, did)
	if err != nil {
		t.Fatal(err)
	}
	assertIdentity(t, ident, "alice2.test", "https://new-pds.example.com", pub(t, ks.signing))
}

func TestUpdateRefusals(t *testing.T) {
	ctx := context.Background()
	c := identity.NewPLCClient(directoryURL(t), nil)
	ks := newKeys(t)
	did, gen, err := c.CreateDID(ctx, params(t, ks, "alice.test"))
	if err != nil {
		t.Fatal(err)
	}
	stranger := newKeys(t)
	if _, err := c.UpdateHandle(ctx, did, stranger.rotation, "mallory.test"); !errors.Is(err, identity.ErrSignerNotRotationKey) {
		t.Fatalf("update by a stranger's key: %v", err)
	}
	editErr := errors.New("edit refused")
	if _, err := c.Update(ctx, did, ks.rotation, func(*identity.OpData) error { return editErr }); !errors.Is(err, editErr) {
		t.Fatalf("edit error not passed on: %v", err)
	}
	if _, err := c.UpdateHandle(ctx, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", ks.rotation, "x.test"); !errors.Is(err, identity.ErrNotFound) {
		t.Fatalf("update of an unknown DID: %v", err)
	}
	tomb, err := identity.NewTombstone(gen, ks.rotation)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Submit(ctx, did, tomb); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Document(ctx, did); !errors.Is(err, identity.ErrTombstoned) || !errors.Is(err, identity.ErrNotFound) {
		t.Fatalf("document of a tombstoned DID: %v", err)
	}
	if _, err := c.UpdateHandle(ctx, did, ks.rotation, "zombie.test"); !errors.Is(err, identity.ErrTombstoned) {
		t.Fatalf("update of a tombstoned DID: %v", err)
	}
	last, err := c.LastOp(ctx, did)
	if err != nil || !last.IsTombstone() {
		t.Fatalf("last op = %s, %v", last.Type(), err)
	}
}

func TestDirectoryErrorSurfacesBody(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/data") {
			http.Error(w, "upstream on fire", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"To many operations within last hour (max 10)"}`))
	}))
	defer ts.Close()
	c := identity.NewPLCClient(ts.URL+"/", nil)
	_, _, err := c.CreateDID(context.Background(), params(t, newKeys(t), "alice.test"))
	var dirErr *identity.DirectoryError
	if !errors.As(err, &dirErr) || dirErr.StatusCode != 400 || dirErr.Message != "To many operations within last hour (max 10)" || dirErr.Method != "POST" {
		t.Fatalf("error = %#v", err)
	}
	if errors.Is(err, identity.ErrNotFound) {
		t.Fatal("a 400 matches ErrNotFound")
	}
	_, err = c.Data(context.Background(), "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
	if !errors.As(err, &dirErr) || dirErr.StatusCode != 502 || dirErr.Message != "upstream on fire" {
		t.Fatalf("error = %v", err)
	}
}
