package app

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/internal/testpds"
)

// newTestApp starts an App on a fresh (or given) data directory with a
// keychain held in memory, its PDS on a free loopback port.
func newTestApp(t *testing.T, dir string, kc keys.Keychain, environ ...string) *App {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	a, err := New(Options{
		DataDir: dir, Keychain: kc, KeychainUser: "test-" + t.Name(), Listen: "127.0.0.1:0", Environ: environ,
	})
	if err != nil {
		t.Fatal(err)
	}
	Start(context.Background(), a)
	t.Cleanup(func() { Stop(context.Background(), a) })
	return a
}

// localFirst returns the environment of an app whose PLC directory is a
// fresh stand-in, and that stand-in's URL.
func localFirst(t *testing.T) ([]string, string) {
	plc := testpds.StartPLC(t)
	return []string{"HEARTH_PLC_URL=" + plc}, plc
}

func mustState(t *testing.T, a *App, want Phase) State {
	t.Helper()
	st := a.State()
	if st.Phase != want {
		t.Fatalf("phase = %q (start error %q), want %q", st.Phase, st.StartError, want)
	}
	return st
}

func TestFirstRunCreateBrowseEditDelete(t *testing.T) {
	env, plcURL := localFirst(t)
	dir, kc := t.TempDir(), keys.NewMemKeychain()
	a := newTestApp(t, dir, kc, env...)
	st := mustState(t, a, PhaseFirstRun)
	if st.KeyLocation != "keychain" {
		t.Fatalf("key location = %q, want keychain", st.KeyLocation)
	}

	info, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Handle != "alice.test" || !strings.HasPrefix(info.DID, "did:plc:") || info.Published {
		t.Fatalf("account = %+v; want alice.test, a did:plc, not published", info)
	}
	mustState(t, a, PhaseReady)
	if _, err := a.CreateAccount(CreateAccountInput{Handle: "bob", Password: "correct horse battery"}); err == nil {
		t.Fatal("a second owner account was created")
	}

	// Local-first: the directory has not seen the DID.
	resp, err := http.Get(plcURL + "/" + info.DID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("PLC directory answered %d for the unpublished DID, want 404", resp.StatusCode)
	}

	ref, err := a.CreateRecord("app.bsky.feed.post", "", `{"text":"hello from the window","createdAt":"2026-11-25T03:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	if ref.ValidationStatus != "valid" || ref.CommitCID == "" {
		t.Fatalf("create = %+v", ref)
	}
	cols, err := a.ListCollections()
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || cols[0].Name != "app.bsky.feed.post" || cols[0].Count != 1 {
		t.Fatalf("collections = %+v", cols)
	}
	page, err := a.ListRecords("app.bsky.feed.post", "", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0].RKey != ref.RKey || page.Records[0].Preview != "hello from the window" {
		t.Fatalf("records = %+v", page)
	}
	rec, err := a.GetRecord("app.bsky.feed.post", ref.RKey)
	if err != nil {
		t.Fatal(err)
	}
	if rec.CID != ref.CID || rec.CommitCID != ref.CommitCID || !strings.Contains(rec.JSON, `"text": "hello from the window"`) {
		t.Fatalf("record = %+v, want CID %s commit %s", rec, ref.CID, ref.CommitCID)
	}

	edited, err := a.PutRecord("app.bsky.feed.post", ref.RKey, `{"text":"edited","createdAt":"2026-11-25T03:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	if edited.CID == ref.CID {
		t.Fatal("edit kept the CID")
	}

	// A record that breaks its lexicon: the error names the field and the
	// XRPC error, and the repo is unchanged.
	_, err = a.PutRecord("app.bsky.feed.post", ref.RKey, `{"text":42,"createdAt":"2026-11-25T03:00:00Z"}`)
	if err == nil || !strings.Contains(err.Error(), "field text") || !strings.HasSuffix(err.Error(), "(InvalidRecord)") {
		t.Fatalf("invalid record error = %v; want one naming field text and InvalidRecord", err)
	}
	if rec, err := a.GetRecord("app.bsky.feed.post", ref.RKey); err != nil || rec.CID != edited.CID {
		t.Fatalf("after a refused edit: %+v, %v; want CID %s", rec, err, edited.CID)
	}
	if _, err := a.CreateRecord("not a collection", "", `{}`); err == nil || !strings.HasSuffix(err.Error(), "(InvalidRequest)") {
		t.Fatalf("bad collection error = %v", err)
	}
	if _, err := a.CreateRecord("app.bsky.feed.post", "", `{"text": `); err == nil || !strings.HasSuffix(err.Error(), "(InvalidRequest)") {
		t.Fatalf("bad JSON error = %v", err)
	}

	if err := a.DeleteRecord("app.bsky.feed.post", ref.RKey); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetRecord("app.bsky.feed.post", ref.RKey); err == nil || !strings.Contains(err.Error(), "(RecordNotFound)") {
		t.Fatalf("deleted record: %v", err)
	}
	if err := a.DeleteRecord("app.bsky.feed.post", ref.RKey); err == nil || !strings.Contains(err.Error(), "(RecordNotFound)") {
		t.Fatalf("deleting again: %v", err)
	}

	// The recent commits come from the firehose: create, edit, delete.
	waitFor(t, "three commits in the feed", func() bool {
		c, err := a.RecentCommits(10)
		return err == nil && len(c) >= 3 && c[0].Ops[0].Action == "delete"
	})

	// Restart with the same data and keychain: the state is kept.
	keep, err := a.CreateRecord("app.bsky.feed.post", "keepme", `{"text":"kept","createdAt":"2026-11-25T03:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	Stop(context.Background(), a)
	b := newTestApp(t, dir, kc, env...)
	if st := mustState(t, b, PhaseReady); st.Account.DID != info.DID {
		t.Fatalf("after restart the account is %+v", st.Account)
	}
	if rec, err := b.GetRecord("app.bsky.feed.post", "keepme"); err != nil || rec.CID != keep.CID {
		t.Fatalf("after restart: %+v, %v", rec, err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPublishPendingDID: the genesis kept locally is what the directory
// accepts later, and the DID document then names this server.
func TestPublishPendingDID(t *testing.T) {
	env, plcURL := localFirst(t)
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	info, err := a.CreateAccount(CreateAccountInput{Handle: "carol", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := a.current()
	doc, err := run.srv.Accounts().LocalDocument(context.Background(), info.DID)
	if err != nil || len(doc.Service) == 0 || doc.Service[0].ServiceEndpoint != run.url {
		t.Fatalf("local DID document = %+v, %v; want the PDS at %s", doc, err, run.url)
	}
	if st := a.ServerStatus(); st.DIDDocPointsHere || !strings.Contains(st.DIDDocNote, "Not published") {
		t.Fatalf("status before publishing: %+v", st)
	}
	if err := run.srv.Accounts().SubmitPendingPLC(context.Background(), info.DID); err != nil {
		t.Fatal(err)
	}
	if err := run.srv.Accounts().SubmitPendingPLC(context.Background(), info.DID); !errors.Is(err, account.ErrNotPending) {
		t.Fatalf("second publish: %v, want ErrNotPending", err)
	}
	data, err := run.srv.PLC().Data(context.Background(), syntax.DID(info.DID))
	if err != nil || data.PDSEndpoint() != run.url {
		t.Fatalf("published document: %+v, %v", data, err)
	}
	if got, err := a.Account(); err != nil || !got.Published {
		t.Fatalf("account after publishing: %+v, %v", got, err)
	}
	if st := a.ServerStatus(); !st.DIDDocPointsHere {
		t.Fatalf("status after publishing: %+v (plc %s)", st, plcURL)
	}
}

// TestSignupClosedOverHTTP: the desktop's PDS takes no sign-ups from the
// network, before or after the owner exists.
func TestSignupClosedOverHTTP(t *testing.T) {
	env, _ := localFirst(t)
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	run, _ := a.current()
	body := `{"handle":"mallory.test","password":"correct horse battery"}`
	resp, err := http.Post(run.url+"/xrpc/com.atproto.server.createAccount", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusForbidden || e.Error != "SignupClosed" {
		t.Fatalf("createAccount over HTTP: %d %q; want 403 SignupClosed", resp.StatusCode, e.Error)
	}
}

// TestPassphraseFallback: without a keychain the app waits for a
// passphrase, refuses weak and wrong ones, and opens the same key after a
// restart.
func TestPassphraseFallback(t *testing.T) {
	env, _ := localFirst(t)
	dir := t.TempDir()
	a := newTestApp(t, dir, nil, env...)
	st := mustState(t, a, PhaseLocked)
	if st.PassphraseExists || st.KeychainProblem == "" {
		t.Fatalf("locked state = %+v; want no file yet and a reason", st)
	}
	if _, err := a.ServerStatus(), a.Unlock("short"); err == nil || !strings.Contains(err.Error(), "(WeakPassphrase)") {
		t.Fatalf("weak passphrase: %v", err)
	}
	if err := a.Unlock("a long enough passphrase"); err != nil {
		t.Fatal(err)
	}
	mustState(t, a, PhaseFirstRun)
	if _, err := a.CreateAccount(CreateAccountInput{Handle: "dave", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := a.Settings(); !strings.Contains(s.KeyLocation, "passphrase") {
		t.Fatalf("key location = %q", s.KeyLocation)
	}
	Stop(context.Background(), a)

	b := newTestApp(t, dir, nil, env...)
	if st := mustState(t, b, PhaseLocked); !st.PassphraseExists {
		t.Fatalf("after restart: %+v; want the passphrase file found", st)
	}
	if err := b.Unlock("the wrong passphrase"); err == nil || !strings.Contains(err.Error(), "(WrongPassphrase)") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := b.Unlock("a long enough passphrase"); err != nil {
		t.Fatal(err)
	}
	if st := mustState(t, b, PhaseReady); st.Account.Handle != "dave.test" {
		t.Fatalf("account after unlock: %+v", st.Account)
	}
}

// TestSettingsSaved: settings are checked, stored and used on restart.
func TestSettingsSaved(t *testing.T) {
	env, plcURL := localFirst(t)
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	s, err := a.Settings()
	if err != nil {
		t.Fatal(err)
	}
	bad := s
	bad.PLCURL = "ftp://nowhere"
	if err := a.SaveSettings(bad); err == nil || !strings.HasSuffix(err.Error(), "(InvalidRequest)") {
		t.Fatalf("bad PLC URL saved: %v", err)
	}
	bad = s
	bad.Port = 80
	if err := a.SaveSettings(bad); err == nil {
		t.Fatal("port 80 saved")
	}
	s.PLCURL = plcURL
	s.Port = freePort(t)
	s.HandleDomains = []string{"example.org"}
	s.Relays = []string{"https://relay.example.org"}
	s.LogLevel = "warn"
	if err := a.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := a.RestartServer(); err != nil {
		t.Fatal(err)
	}
	st := a.ServerStatus()
	if !st.Running || st.Port != s.Port {
		t.Fatalf("after restart: %+v; want port %d", st, s.Port)
	}
	got, err := a.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.HandleDomains) != 1 || got.HandleDomains[0] != ".example.org" || got.Relays[0] != "https://relay.example.org" || got.LogLevel != "warn" {
		t.Fatalf("settings = %+v", got)
	}
	if raw, err := os.ReadFile(filepath.Join(a.opts.DataDir, "settings.toml")); err != nil || !strings.Contains(string(raw), "example.org") {
		t.Fatalf("settings file: %s, %v", raw, err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestStoppedServerKeepsReady: stopping the server does not send the
// window back to the first-run page.
func TestStoppedServerKeepsReady(t *testing.T) {
	env, _ := localFirst(t)
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	if _, err := a.CreateAccount(CreateAccountInput{Handle: "gina", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if err := a.StopServer(); err != nil {
		t.Fatal(err)
	}
	if st := mustState(t, a, PhaseReady); st.Account != nil {
		t.Fatalf("account shown while stopped: %+v", st.Account)
	}
	if st := a.ServerStatus(); st.Running || st.Error == "" {
		t.Fatalf("status while stopped: %+v", st)
	}
	if _, err := a.ListCollections(); err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("browsing while stopped: %v", err)
	}
	if err := a.StartServer(); err != nil {
		t.Fatal(err)
	}
	if st := mustState(t, a, PhaseReady); st.Account == nil || st.Account.Handle != "gina.test" {
		t.Fatalf("after start: %+v", st.Account)
	}
}
