package plcserver_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/identity/plcserver"
)

func TestPersistenceRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plc.json")
	base := standIn(t, plcserver.Options{Path: path})
	a := newAccount(t, "alice.test", 2)
	mustSubmit(t, base, a.did, a.genesis)
	mustSubmit(t, base, a.did, handleUpdate(t, a.genesis, a.keys[1], "hijacked.test"))
	mustSubmit(t, base, a.did, handleUpdate(t, a.genesis, a.keys[0], "alice2.test")) // nullifies
	b := newAccount(t, "bob.test", 1)
	mustSubmit(t, base, b.did, b.genesis)
	tomb, err := identity.NewTombstone(b.genesis, b.keys[0])
	if err != nil {
		t.Fatal(err)
	}
	mustSubmit(t, base, b.did, tomb)

	_, _, wantAudit := get(t, base+"/"+a.did.String()+"/log/audit")
	_, _, wantDoc := get(t, base+"/"+a.did.String())
	_, _, wantExport := get(t, base+"/export")

	reopened := standIn(t, plcserver.Options{Path: path})
	_, _, gotAudit := get(t, reopened+"/"+a.did.String()+"/log/audit")
	_, _, gotDoc := get(t, reopened+"/"+a.did.String())
	_, _, gotExport := get(t, reopened+"/export")
	if !bytes.Equal(gotAudit, wantAudit) || !bytes.Equal(gotDoc, wantDoc) || !bytes.Equal(gotExport, wantExport) {
		t.Fatalf("state differs after reload:\naudit %s\n want %s\ndoc %s\nwant %s", gotAudit, wantAudit, gotDoc, wantDoc)
	}
	if status, _, _ := get(t, reopened+"/"+b.did.String()); status != 404 {
		t.Fatalf("tombstoned DID resolves after reload: %d", status)
	}
	// The reloaded directory keeps accepting operations on top.
	var last identity.Operation
	getJSON(t, reopened+"/"+a.did.String()+"/log/last", &last)
	mustSubmit(t, reopened, a.did, handleUpdate(t, last, a.keys[0], "alice3.test"))
	assertState(t, reopened, a.did.String(), "at://alice3.test", 3)

	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".plc.json.tmp-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestPersistenceRefusesTamperedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plc.json")
	base := standIn(t, plcserver.Options{Path: path})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(string(b), "at://alice.test", "at://mallory.test", 1)
	if err := os.WriteFile(path, []byte(tampered), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := plcserver.New(plcserver.Options{Path: path}); err == nil {
		t.Fatal("New accepted a file whose operation no longer matches its CID and signature")
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := plcserver.New(plcserver.Options{Path: path}); err == nil {
		t.Fatal("New accepted a corrupt file")
	}
}

func TestPersistenceFailureLeavesStateUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "plc.json")
	if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	base := standIn(t, plcserver.Options{Path: path, Logger: slog.New(slog.DiscardHandler)})
	a := newAccount(t, "alice.test", 1)
	mustSubmit(t, base, a.did, a.genesis)

	if err := os.RemoveAll(filepath.Dir(path)); err != nil { // saving now fails
		t.Fatal(err)
	}
	status, msg := post(t, base, a.did.String(), mustJSON(t, handleUpdate(t, a.genesis, a.keys[0], "alice2.test")))
	if status != 500 || msg != "Internal Server Error" {
		t.Fatalf("submit with unwritable state file: %d %q", status, msg)
	}
	assertState(t, base, a.did.String(), "at://alice.test", 1)
}
