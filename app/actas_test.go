package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestActAsAnotherPDS: the desktop's owner (alice, C) acts for dave (D),
// hosted on another real PDS sharing the PLC directory, through the token
// exchange at dave's PDS: a post lands in dave's repo and dave's audit
// log names alice; the token renews itself; a viewer grant refuses
// writes; after the grant is revoked the next call fails in words and
// the session ends.
func TestActAsAnotherPDS(t *testing.T) {
	env, plcURL := localFirst(t)
	other := testpds.Start(t, testpds.Options{PLCURL: plcURL})
	ctx := context.Background()
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	alice, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := a.current()
	dave, err := other.Server.Accounts().Create(ctx, account.CreateInput{Handle: "dave.test", Password: "dave's long password"})
	if err != nil {
		t.Fatal(err)
	}
	daveDID := dave.Account.DID
	// dave's server checks alice's actor token against her DID document:
	// while it is not published, it cannot.
	_, err = a.ActAs(daveDID)
	wantErrName(t, "unpublished owner", err, "ActorUnresolvable")
	if err := run.srv.Accounts().SubmitPendingPLC(ctx, alice.DID); err != nil {
		t.Fatal(err)
	}
	// dave's server remembers the failed lookup for a while; forget it.
	if err := other.Server.Directory().Purge(ctx, syntax.DID(alice.DID).AtIdentifier()); err != nil {
		t.Fatal(err)
	}
	daveSvc := other.Server.Delegation()

	// Refusals before acting.
	_, err = a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":"x","createdAt":"2026-01-01T00:00:00Z"}`)
	wantErrName(t, "create before acting", err, "NotActing")
	_, err = a.ActAs("  ")
	wantErrName(t, "nobody", err, "InvalidRequest")
	_, err = a.ActAs(alice.DID)
	wantErrName(t, "own account", err, "InvalidRequest")
	_, err = a.ActAs("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
	t.Logf("unknown DID: %v", err)
	wantErrName(t, "unknown DID", err, "AccountNotFound")
	_, err = a.ActAs(daveDID)
	if wantErrName(t, "no grant yet", err, "GrantNotFound"); !strings.HasPrefix(err.Error(), "This account does not let you act for it") {
		t.Fatalf("no grant yet: %v", err)
	}

	// dave makes alice an editor with his own delegation service.
	if _, err := daveSvc.AddController(ctx, daveDID, alice.DID, delegation.Rights{Preset: "editor"}, daveDID); err != nil {
		t.Fatal(err)
	}
	sess, err := a.ActAs("@" + daveDID)
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := time.Parse(time.RFC3339Nano, sess.ExpiresAt)
	if sess.DID != daveDID || sess.Handle != "dave.test" || sess.PDS != other.URL || !strings.Contains(sess.Scope, "repo:*") ||
		len(sess.Allows) == 0 || time.Until(exp) < 4*time.Minute || time.Until(exp) > 6*time.Minute {
		t.Fatalf("session = %+v", sess)
	}
	for _, l := range sess.Allows {
		if strings.Contains(l, "repo:") {
			t.Fatalf("allows in scope syntax, not words: %q", l)
		}
	}
	if got := a.ActingAs(); len(got) != 1 || got[0].DID != daveDID {
		t.Fatalf("acting as = %+v", got)
	}

	// A post in dave's repo, written by alice.
	ref, err := a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":"hello from alice","createdAt":"2026-01-01T00:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref.URI, "at://"+daveDID+"/app.bsky.feed.post/") || ref.RKey == "" || ref.CID == "" || ref.CommitRev == "" {
		t.Fatalf("ref = %+v", ref)
	}
	if _, err := other.Server.Store().GetRecord(ctx, daveDID, "app.bsky.feed.post", ref.RKey); err != nil {
		t.Fatalf("the post on dave's PDS: %v", err)
	}
	writes, _, err := daveSvc.AuditLog(ctx, delegation.AuditFilter{Delegated: daveDID, Kinds: []string{store.AuditWrite}})
	if err != nil || len(writes) != 1 || writes[0].Controller != alice.DID || writes[0].Actor != alice.DID ||
		writes[0].Detail.Rkey != ref.RKey || writes[0].Detail.Action != "create" {
		t.Fatalf("dave's audit log: %+v, %v", writes, err)
	}
	cols, err := a.ActAsCollections(daveDID)
	if err != nil || !hasCollection(cols, "app.bsky.feed.post") {
		t.Fatalf("collections = %+v, %v", cols, err)
	}
	page, err := a.ActAsListRecords(daveDID, "app.bsky.feed.post", "")
	if err != nil || len(page.Records) != 1 || page.Records[0].RKey != ref.RKey || page.Records[0].Preview != "hello from alice" {
		t.Fatalf("records = %+v, %v", page, err)
	}

	// Bad input, in words.
	_, err = a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":`)
	wantErrName(t, "broken JSON", err, "InvalidRequest")
	_, err = a.ActAsCreateRecord(daveDID, "not a collection", "", `{}`)
	wantErrName(t, "bad collection", err, "InvalidRequest")
	_, err = a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":5,"createdAt":"2026-01-01T00:00:00Z"}`)
	t.Logf("text is a number: %v", err)
	if err == nil || !strings.Contains(err.Error(), "(Invalid") {
		t.Fatalf("a post whose text is a number: %v", err)
	}

	// An expired token is exchanged again transparently.
	issued := func() int {
		es, _, err := daveSvc.AuditLog(ctx, delegation.AuditFilter{Delegated: daveDID, Kinds: []string{store.AuditTokenIssued}})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := issued()
	e := a.actAs.get(daveDID)
	e.mu.Lock()
	e.sess.ExpiresAt = time.Now().Add(-time.Second)
	e.mu.Unlock()
	if err := a.ActAsDeleteRecord(daveDID, "app.bsky.feed.post", ref.RKey); err != nil {
		t.Fatal(err)
	}
	if n := issued(); n != before+1 {
		t.Fatalf("token.issued rows %d → %d; want one more (a new exchange)", before, n)
	}
	if _, err := other.Server.Store().GetRecord(ctx, daveDID, "app.bsky.feed.post", ref.RKey); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the deleted post: %v", err)
	}

	// dave narrows alice to viewer: the same token may no longer write.
	if _, err := daveSvc.UpdateController(ctx, daveDID, alice.DID, delegation.Rights{Preset: "viewer"}, daveDID); err != nil {
		t.Fatal(err)
	}
	_, err = a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":"no","createdAt":"2026-01-01T00:00:00Z"}`)
	if wantErrName(t, "viewer writes", err, "InsufficientScope"); err.Error() != "Your access does not allow that (InsufficientScope)" {
		t.Fatalf("viewer writes: %v", err)
	}
	viewer, err := a.ActAs(daveDID)
	if err != nil || strings.Contains(viewer.Scope, "repo:") {
		t.Fatalf("acting again as a viewer: %+v, %v", viewer, err)
	}
	_, err = a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":"no","createdAt":"2026-01-01T00:00:00Z"}`)
	wantErrName(t, "viewer writes with a viewer token", err, "InsufficientScope")

	// Stop acting, then act again as an editor.
	if err := a.EndActAs(daveDID); err != nil || len(a.ActingAs()) != 0 {
		t.Fatalf("end: %v, %+v", err, a.ActingAs())
	}
	_, err = a.ActAsCollections(daveDID)
	wantErrName(t, "after ending", err, "NotActing")
	if _, err := daveSvc.UpdateController(ctx, daveDID, alice.DID, delegation.Rights{Preset: "editor"}, daveDID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ActAs(daveDID); err != nil {
		t.Fatal(err)
	}

	// dave revokes alice: the next call fails in words and the session ends.
	if _, err := daveSvc.RemoveController(ctx, daveDID, alice.DID, daveDID); err != nil {
		t.Fatal(err)
	}
	_, err = a.ActAsCreateRecord(daveDID, "app.bsky.feed.post", "", `{"text":"late","createdAt":"2026-01-01T00:00:00Z"}`)
	t.Logf("after revocation: %v", err)
	wantErrName(t, "after revocation", err, "GrantNotFound")
	if got := a.ActingAs(); len(got) != 0 {
		t.Fatalf("sessions after revocation: %+v", got)
	}
	_, err = a.ActAsListRecords(daveDID, "app.bsky.feed.post", "")
	wantErrName(t, "listing after revocation", err, "NotActing")
	if writes, _, _ := daveSvc.AuditLog(ctx, delegation.AuditFilter{Delegated: daveDID, Kinds: []string{store.AuditWrite}}); len(writes) != 2 {
		t.Fatalf("writes audited: %d; want the create and the delete", len(writes))
	}
}

func hasCollection(cols []Collection, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

// TestActAsLocalAccount: an account hosted on the desktop's own PDS that
// lets the owner act for it is listed under "Accounts I can act for" and
// acted for the same way, through the PDS's own token exchange.
func TestActAsLocalAccount(t *testing.T) {
	env, _ := localFirst(t)
	ctx := context.Background()
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	alice, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := a.current()
	domain := alice.Handle[strings.Index(alice.Handle, "."):]
	// The desktop's PDS takes no sign-ups; Owner lets the test add one.
	carol, err := run.srv.Accounts().Create(ctx, account.CreateInput{Handle: "carol" + domain, Password: "carol's long password", Owner: true})
	if err != nil {
		t.Fatal(err)
	}
	carolDID := carol.Account.DID
	for _, did := range []string{alice.DID, carolDID} {
		if err := run.srv.Accounts().SubmitPendingPLC(ctx, did); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := run.srv.Delegation().AddController(ctx, carolDID, alice.DID, delegation.Rights{Preset: "editor"}, carolDID); err != nil {
		t.Fatal(err)
	}
	controlled, err := a.ListControlledAccounts()
	if err != nil || len(controlled) != 1 || controlled[0].DID != carolDID {
		t.Fatalf("controlled = %+v, %v", controlled, err)
	}
	sess, err := a.ActAs(carolDID)
	if err != nil {
		t.Fatal(err)
	}
	if sess.PDS != run.url || sess.Handle != "carol"+domain {
		t.Fatalf("session = %+v (PDS %s)", sess, run.url)
	}
	ref, err := a.ActAsCreateRecord(carolDID, "app.bsky.feed.post", "", `{"text":"for carol","createdAt":"2026-01-01T00:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.srv.Store().GetRecord(ctx, carolDID, "app.bsky.feed.post", ref.RKey); err != nil {
		t.Fatalf("carol's post: %v", err)
	}
	// The owner's own repository is untouched.
	if cols, err := a.ListCollections(); err != nil || len(cols) != 0 {
		t.Fatalf("alice's collections: %+v, %v", cols, err)
	}
}
