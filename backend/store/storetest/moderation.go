package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

func testAccountTakedown(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")
	seq := latestSeq(t, s)

	seqs, err := s.SetTakedown(ctx, store.Subject{DID: alice}, "ref-1", []store.Event{NewEvent(alice, "#account")})
	must(t, err)
	equalSlice(t, "seqs", seqs, []int64{seq + 1})
	events, err := s.ListEvents(ctx, seq, 10)
	must(t, err)
	equal(t, "events", len(events), 1)
	equalBytes(t, "event body", events[0].Body, EventBody(alice, "#account", seq+1))
	got, err := s.GetAccount(ctx, alice)
	must(t, err)
	equal(t, "Status", got.Status, store.StatusTakendown)
	equal(t, "TakedownRef", got.TakedownRef, "ref-1")
	ref, err := s.GetTakedown(ctx, store.Subject{DID: alice})
	must(t, err)
	equal(t, "GetTakedown", ref, "ref-1")
	ref, err = s.GetTakedown(ctx, store.Subject{DID: bob})
	must(t, err)
	equal(t, "bob's takedown", ref, "")

	// A failing event leaves the account as it was.
	_, err = s.SetTakedown(ctx, store.Subject{DID: bob}, "ref-2", []store.Event{FailingEvent(bob, "#account")})
	mustBe(t, err, ErrEncode)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "bob's status after a failed takedown", got.Status, store.StatusActive)
	equal(t, "bob's ref after a failed takedown", got.TakedownRef, "")
	equal(t, "LatestSeq after a failed takedown", latestSeq(t, s), seq+1)

	// A takedown ends a deactivation.
	_, err = s.SetAccountStatus(ctx, bob, store.StatusDeactivated, nil)
	must(t, err)
	_, err = s.SetTakedown(ctx, store.Subject{DID: bob}, "ref-3", nil)
	must(t, err)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "bob's status", got.Status, store.StatusTakendown)
	equal(t, "bob's DeactivatedAt", got.DeactivatedAt == nil, true)

	seqs, err = s.SetTakedown(ctx, store.Subject{DID: alice}, "", []store.Event{NewEvent(alice, "#account")})
	must(t, err)
	equalSlice(t, "seqs of the lift", seqs, []int64{seq + 2})
	got, _ = s.GetAccount(ctx, alice)
	equal(t, "Status after the lift", got.Status, store.StatusActive)
	equal(t, "TakedownRef after the lift", got.TakedownRef, "")
	ref, _ = s.GetTakedown(ctx, store.Subject{DID: alice})
	equal(t, "GetTakedown after the lift", ref, "")

	const nobody = "did:plc:nobody"
	_, err = s.SetTakedown(ctx, store.Subject{DID: nobody}, "ref", []store.Event{NewEvent(nobody, "#account")})
	notFound(t, err)
	_, err = s.GetTakedown(ctx, store.Subject{DID: nobody})
	notFound(t, err)
	equal(t, "no event for an unknown account", latestSeq(t, s), seq+2)
}

func testContentTakedown(t *testing.T, s store.Store) {
	ctx := t.Context()
	blob := RandomCID()
	a := NewAccount(alice, "alice.test")
	PutRecord(a.Genesis, "app.bsky.feed.post", "1", RandomBytes(40), blob)
	PutRecord(a.Genesis, "app.bsky.feed.post", "2", RandomBytes(40))
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	must(t, s.PutBlob(ctx, store.Blob{DID: alice, CID: blob, MimeType: "image/png", Size: 1, CreatedAt: base}))
	createAccount(t, s, bob, "bob.test")
	seq := latestSeq(t, s)

	post := store.Subject{DID: alice, Collection: "app.bsky.feed.post", RKey: "1"}
	image := store.Subject{DID: alice, Blob: &blob}
	_, err = s.SetTakedown(ctx, post, "post-ref", nil)
	must(t, err)
	_, err = s.SetTakedown(ctx, image, "blob-ref", nil)
	must(t, err)
	checkTakedown(t, s, post, "post-ref")
	checkTakedown(t, s, image, "blob-ref")
	checkTakedown(t, s, store.Subject{DID: alice, Collection: "app.bsky.feed.post", RKey: "2"}, "")
	checkTakedown(t, s, store.Subject{DID: alice}, "")
	got, _ := s.GetAccount(ctx, alice)
	equal(t, "account status", got.Status, store.StatusActive)

	_, err = s.SetTakedown(ctx, post, "", nil)
	must(t, err)
	checkTakedown(t, s, post, "")
	checkTakedown(t, s, image, "blob-ref")
	_, err = s.SetTakedown(ctx, image, "", nil)
	must(t, err)
	checkTakedown(t, s, image, "")

	other := RandomCID()
	for name, subj := range map[string]store.Subject{
		"record of no repo":    {DID: bob, Collection: "app.bsky.feed.post", RKey: "1"},
		"absent record":        {DID: alice, Collection: "app.bsky.feed.post", RKey: "3"},
		"absent collection":    {DID: alice, Collection: "app.bsky.feed.like", RKey: "1"},
		"blob never uploaded":  {DID: alice, Blob: &other},
		"another account blob": {DID: bob, Blob: &blob},
	} {
		_, err := s.SetTakedown(ctx, subj, "ref", []store.Event{NewEvent(subj.DID, "#account")})
		if err == nil {
			t.Fatalf("takedown of %s: no error", name)
		}
		notFound(t, err)
		_, err = s.GetTakedown(ctx, subj)
		notFound(t, err)
	}
	equal(t, "no events for content takedowns or unknown subjects", latestSeq(t, s), seq)
}

// checkTakedown fails the test unless the subject's takedown ref is want.
func checkTakedown(t *testing.T, s store.Store, subj store.Subject, want string) {
	t.Helper()
	ref, err := s.GetTakedown(t.Context(), subj)
	must(t, err)
	equal(t, "takedown of "+subj.DID+"/"+subj.Collection+"/"+subj.RKey, ref, want)
}

func testSearchAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	const (
		d1 = "did:plc:search1"
		d2 = "did:plc:search2"
		d3 = "did:plc:search3"
		d4 = "did:plc:search4"
	)
	for _, a := range []struct{ did, handle, email string }{
		{d3, "bob.test", "Al@Example.com"},
		{d1, "alice.test", "alice@example.com"},
		{d4, "carol.test", ""},
		{d2, "alfred.test", "fred@example.com"},
	} {
		na := NewAccount(a.did, a.handle)
		na.Account.Email = a.email
		_, err := s.CreateAccount(ctx, na)
		must(t, err)
	}
	search := func(q, cursor string, limit int) []string {
		t.Helper()
		accounts, err := s.SearchAccounts(ctx, q, cursor, limit)
		must(t, err)
		return accountDIDs(accounts)
	}
	equalSlice(t, "al", search("al", "", 10), []string{d1, d2, d3})
	equalSlice(t, "AL", search("AL", "", 10), []string{d1, d2, d3})
	equalSlice(t, "al, page 1", search("al", "", 2), []string{d1, d2})
	equalSlice(t, "al, page 2", search("al", d2, 2), []string{d3})
	equalSlice(t, "al, past the end", search("al", d3, 2), nil)
	equalSlice(t, "everyone", search("", "", 0), []string{d1, d2, d3, d4})
	equalSlice(t, "everyone, page 2", search("", d2, 0), []string{d3, d4})
	equalSlice(t, "by email", search("fred@", "", 10), []string{d2})
	equalSlice(t, "whole handle", search("carol.test", "", 10), []string{d4})
	for _, q := range []string{"example", "lice", "%", "_lice", "a%", "alice.test.", "x"} {
		equalSlice(t, "search "+q, search(q, "", 10), nil)
	}
	got, err := s.SearchAccounts(ctx, "alice", "", 1)
	must(t, err)
	equal(t, "a found account is whole", got[0].Handle, "alice.test")
	equal(t, "its email", got[0].Email, "alice@example.com")
}

func testListAllInviteCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.CreateInviteCodes(ctx, []store.InviteCode{
		{Code: "c1", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 5, CreatedAt: base},
		{Code: "c2", ForAccount: alice, CreatedBy: "admin", AvailableUses: 1, CreatedAt: base.Add(time.Hour)},
		{Code: "c3", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 1, CreatedAt: base.Add(2 * time.Hour)},
		{Code: "c4", ForAccount: bob, CreatedBy: bob, AvailableUses: 2, Disabled: false, CreatedAt: base.Add(time.Hour)},
	}))
	for _, u := range []struct{ did, code string }{{alice, "c1"}, {bob, "c4"}, {carol, "c1"}} {
		a := NewAccount(u.did, u.did[8:13]+".test")
		a.InviteCode = u.code
		_, err := s.CreateAccount(ctx, a)
		must(t, err)
	}
	must(t, s.DisableInviteCodes(ctx, []string{"c3"}, nil))

	for _, tc := range []struct {
		sort string
		want []string
	}{
		{"recent", []string{"c3", "c2", "c4", "c1"}},
		{"", []string{"c3", "c2", "c4", "c1"}},
		{"usage", []string{"c1", "c4", "c3", "c2"}},
	} {
		for _, limit := range []int{0, 1, 2, 3, 4, 5} {
			equalSlice(t, "codes by "+tc.sort, allInviteCodes(t, s, tc.sort, limit), tc.want)
		}
	}

	codes, cursor, err := s.ListAllInviteCodes(ctx, "usage", "", 1)
	must(t, err)
	equal(t, "first by usage", codes[0].Code, "c1")
	equal(t, "a cursor after a full page", cursor != "", true)
	c1 := codes[0]
	equal(t, "ForAccount", c1.ForAccount, "admin")
	equal(t, "AvailableUses", c1.AvailableUses, 5)
	equal(t, "uses", len(c1.Uses), 2)
	used := map[string]bool{c1.Uses[0].UsedBy: true, c1.Uses[1].UsedBy: true}
	equal(t, "used by alice and carol", used[alice] && used[carol], true)
	codes, _, err = s.ListAllInviteCodes(ctx, "recent", "", 1)
	must(t, err)
	equal(t, "c3 disabled", codes[0].Disabled, true)
	equal(t, "c3 unused", len(codes[0].Uses), 0)

	_, _, err = s.ListAllInviteCodes(ctx, "oldest", "", 10)
	if err == nil {
		t.Fatal("an unknown sort: no error")
	}
	for _, bad := range []string{"junk", "1:2", "x:y:z"} {
		if _, _, err := s.ListAllInviteCodes(ctx, "recent", bad, 10); err == nil {
			t.Fatalf("cursor %q: no error", bad)
		}
	}
}

// allInviteCodes pages through every invite code by sort, limit at a time,
// and returns the codes in order. A page shorter than limit must end the
// paging with an empty cursor.
func allInviteCodes(t *testing.T, s store.Store, sort string, limit int) []string {
	t.Helper()
	var (
		out    []string
		cursor string
	)
	for range 10 {
		codes, next, err := s.ListAllInviteCodes(t.Context(), sort, cursor, limit)
		must(t, err)
		for _, c := range codes {
			out = append(out, c.Code)
		}
		if (limit <= 0 || len(codes) < limit) && next != "" {
			t.Fatalf("sort %q, limit %d: cursor %q after a short page", sort, limit, next)
		}
		if next == "" {
			return out
		}
		cursor = next
	}
	t.Fatalf("sort %q, limit %d: paging does not end", sort, limit)
	return nil
}
