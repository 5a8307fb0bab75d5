package delegation_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/internal/testdb"
)

const (
	dana   = "did:plc:dana0000000000000000000000" // the delegated account
	carl   = "did:plc:carl0000000000000000000000" // a controller hosted here
	erin   = "did:plc:erin0000000000000000000000" // another local account
	remote = "did:plc:remote000000000000000000"   // a controller hosted elsewhere
)

// fixture is a Service over a fresh store with three local accounts.
type fixture struct {
	st  store.Store
	svc *delegation.Service
	now time.Time
}

func newFixture(t *testing.T, open func(t testing.TB) store.Store) *fixture {
	t.Helper()
	st := open(t)
	for _, a := range []struct{ did, handle string }{{dana, "dana.test"}, {carl, "carl.test"}, {erin, "erin.test"}} {
		if _, err := st.CreateAccount(t.Context(), storetest.NewAccount(a.did, a.handle)); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{st: st, now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	f.svc = delegation.New(delegation.Config{Store: st, Now: func() time.Time { return f.now }, Logger: slog.New(slog.DiscardHandler)})
	return f
}

// kinds lists the kinds of an account's audit log, newest first.
func (f *fixture) kinds(t *testing.T, delegated string) []string {
	t.Helper()
	es, _, err := f.svc.AuditLog(t.Context(), delegation.AuditFilter{Delegated: delegated})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Kind
	}
	return out
}

func mustBe(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func TestGrantLifecycle(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := t.Context()
		var mu sync.Mutex
		var revoked [][2]string
		f.svc.OnRevoke(func(ctx context.Context, d, c string) error {
			mu.Lock()
			defer mu.Unlock()
			revoked = append(revoked, [2]string{d, c})
			return nil
		})

		g, err := f.svc.AddController(ctx, dana, carl, delegation.Rights{Preset: scopes.PresetEditor}, dana)
		if err != nil {
			t.Fatal(err)
		}
		editor, _ := scopes.Preset(scopes.PresetEditor)
		if !g.Active() || g.Preset != scopes.PresetEditor || !g.Scope.Equal(editor) || g.GrantedBy != dana || !g.GrantedAt.Equal(f.now) {
			t.Fatalf("added grant = %+v", g)
		}
		// A custom scope equal to a preset is stored under the preset's name.
		_, err = f.svc.AddController(ctx, dana, remote, delegation.Rights{Scope: "atproto account:status?action=read"}, dana)
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.ListControllers(ctx, dana)
		if err != nil || len(list) != 2 || list[1].Preset != scopes.PresetViewer {
			t.Fatalf("controllers = %+v, %v", list, err)
		}
		controlled, err := f.svc.ListControlled(ctx, carl)
		if err != nil || len(controlled) != 1 || controlled[0].Delegated != dana {
			t.Fatalf("controlled by carl = %+v, %v", controlled, err)
		}

		f.now = f.now.Add(time.Minute)
		u, err := f.svc.UpdateController(ctx, dana, carl, delegation.Rights{Scope: "atproto repo:app.bsky.feed.post?action=create"}, dana)
		if err != nil {
			t.Fatal(err)
		}
		if u.Preset != store.PresetCustom || u.Scope.String() != "atproto repo:app.bsky.feed.post?action=create" || u.UpdatedAt == nil {
			t.Fatalf("updated grant = %+v", u)
		}
		// The same rights again change nothing and log nothing.
		if _, err := f.svc.UpdateController(ctx, dana, carl, delegation.Rights{Scope: "repo:app.bsky.feed.post?action=create atproto"}, dana); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.UpdateController(ctx, dana, erin, delegation.Rights{Preset: scopes.PresetViewer}, dana)
		mustBe(t, "update without a grant", err, delegation.ErrNoGrant)

		r, err := f.svc.RemoveController(ctx, dana, carl, dana)
		if err != nil {
			t.Fatal(err)
		}
		if r.Active() || r.RevokedBy != dana {
			t.Fatalf("revoked grant = %+v", r)
		}
		if !slices.Equal(revoked, [][2]string{{dana, carl}}) {
			t.Fatalf("revoke hooks got %v", revoked)
		}
		_, err = f.svc.ActiveGrant(ctx, dana, carl)
		mustBe(t, "active grant after revoke", err, delegation.ErrNoGrant)
		_, err = f.svc.RemoveController(ctx, dana, carl, dana)
		mustBe(t, "second revoke", err, delegation.ErrNoGrant)

		want := []string{store.AuditGrantRevoke, store.AuditGrantUpdate, store.AuditGrantAdd, store.AuditGrantAdd}
		if got := f.kinds(t, dana); !slices.Equal(got, want) {
			t.Fatalf("audit kinds = %v, want %v", got, want)
		}
		es, _, err := f.svc.AuditLog(ctx, delegation.AuditFilter{Delegated: dana, Kinds: []string{store.AuditGrantUpdate}})
		if err != nil || len(es) != 1 {
			t.Fatalf("update entries = %+v, %v", es, err)
		}
		if d := es[0].Detail; d.PreviousScope != editor.String() || d.Scope != u.Scope.String() || es[0].Actor != dana || es[0].Controller != carl {
			t.Fatalf("update entry = %+v", es[0])
		}
	})
}

func TestGrantRefusals(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := t.Context()
		editor := delegation.Rights{Preset: scopes.PresetEditor}
		if _, err := f.svc.AddController(ctx, dana, carl, editor, dana); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name                  string
			delegated, controller string
			rights                delegation.Rights
			want                  error
		}{
			{"self", erin, erin, editor, delegation.ErrSelf},
			{"duplicate", dana, carl, editor, delegation.ErrGrantExists},
			{"controlled account controls", erin, dana, editor, delegation.ErrTooDeep},
			{"controller delegated", carl, erin, editor, delegation.ErrTooDeep},
			{"delegation rpc in custom scope", erin, remote, delegation.Rights{Scope: "atproto repo:* rpc:dev.hearthpds.delegation.addController?aud=*"}, delegation.ErrNotDelegable},
			{"delegation rpc, any case", erin, remote, delegation.Rights{Scope: "atproto rpc:dev.hearthpds.delegation.removeController?aud=did:web:x.com%23s"}, delegation.ErrNotDelegable},
			{"no atproto", erin, remote, delegation.Rights{Scope: "repo:*"}, delegation.ErrInvalidScope},
			{"invalid token", erin, remote, delegation.Rights{Scope: "atproto repo:* blob:nonsense"}, delegation.ErrInvalidScope},
			{"unknown resource", erin, remote, delegation.Rights{Scope: "atproto frobnicate:*"}, delegation.ErrInvalidScope},
			{"unknown permission set", erin, remote, delegation.Rights{Scope: "atproto include:com.example.nothing"}, delegation.ErrInvalidScope},
			{"unknown preset", erin, remote, delegation.Rights{Preset: "god"}, delegation.ErrUnknownPreset},
			{"preset and scope", erin, remote, delegation.Rights{Preset: scopes.PresetViewer, Scope: "atproto"}, delegation.ErrInvalidScope},
			{"no rights", erin, remote, delegation.Rights{}, delegation.ErrInvalidScope},
			{"delegated not hosted here", remote, erin, editor, delegation.ErrAccountNotFound},
			{"not a DID", erin, "carl.test", editor, delegation.ErrAccountNotFound},
		}
		for _, c := range cases {
			_, err := f.svc.AddController(ctx, c.delegated, c.controller, c.rights, c.delegated)
			mustBe(t, c.name, err, c.want)
		}
		_, err := f.svc.UpdateController(ctx, dana, carl, delegation.Rights{Scope: "atproto rpc:dev.hearthpds.delegation.addController?aud=*"}, dana)
		mustBe(t, "update to a delegation rpc", err, delegation.ErrNotDelegable)
		for _, d := range []string{dana, erin, carl} {
			want := 0
			if d == dana {
				want = 1
			}
			if got := f.kinds(t, d); len(got) != want {
				t.Errorf("audit of %s after refusals: %v", d, got)
			}
		}
	})
}

func TestEffectiveScope(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := t.Context()
		if _, err := f.svc.AddController(ctx, dana, carl, delegation.Rights{Scope: "atproto repo:*?action=create blob:image/* rpc:*?aud=did:web:x.com%23s"}, dana); err != nil {
			t.Fatal(err)
		}
		g, err := f.svc.ActiveGrant(ctx, dana, carl)
		if err != nil {
			t.Fatal(err)
		}
		req := scopes.MustParse("atproto repo:* blob:*/* identity:handle rpc:dev.hearthpds.delegation.addController?aud=did:web:x.com%23s")
		eff, dropped := delegation.EffectiveScope(req, g)
		if !eff.AllowsRepo("app.bsky.feed.post", scopes.ActionCreate) || eff.AllowsRepo("app.bsky.feed.post", scopes.ActionDelete) {
			t.Errorf("repo:* under a create-only grant gave %s", eff)
		}
		if !eff.AllowsBlob("image/png") || eff.AllowsBlob("video/mp4") || eff.AllowsIdentity(scopes.IdentityHandle) {
			t.Errorf("effective scope %s", eff)
		}
		if eff.AllowsRPC("dev.hearthpds.delegation.addController", "did:web:x.com#s") {
			t.Errorf("delegation management survived: %s", eff)
		}
		if len(dropped) == 0 || !slices.Contains(dropped, "identity:handle") {
			t.Errorf("dropped = %v", dropped)
		}
		if _, err := f.svc.RemoveController(ctx, dana, carl, dana); err != nil {
			t.Fatal(err)
		}
		g.RevokedAt = &f.now
		if eff, _ := delegation.EffectiveScope(req, g); eff.AllowsRepo("app.bsky.feed.post", scopes.ActionCreate) {
			t.Errorf("a revoked grant allowed %s", eff)
		}
	})
}

func TestRevokeDeletesAppPasswords(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := t.Context()
		for _, c := range []string{carl, remote} {
			if _, err := f.svc.AddController(ctx, dana, c, delegation.Rights{Preset: scopes.PresetAdmin}, dana); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []struct{ name, controller string }{{"carl-app", carl}, {"remote-app", remote}} {
			err := f.st.CreateDelegatedAppPassword(ctx, store.AppPassword{DID: dana, Name: p.name, Hash: []byte(p.name), CreatedAt: f.now}, p.controller)
			if err != nil {
				t.Fatal(err)
			}
		}
		failing := errors.New("oauth store down")
		var calls int
		f.svc.OnRevoke(func(context.Context, string, string) error { calls++; return failing })
		f.svc.OnRevoke(func(context.Context, string, string) error { calls++; return nil })
		g, err := f.svc.RemoveController(ctx, dana, carl, dana)
		mustBe(t, "revoke with a failing hook", err, delegation.ErrRevokeIncomplete)
		mustBe(t, "revoke with a failing hook", err, failing)
		if g.Active() || calls != 2 {
			t.Fatalf("grant %+v after %d hook calls", g, calls)
		}
		left, err := f.st.ListAppPasswords(ctx, dana)
		if err != nil || len(left) != 1 || left[0].Name != "remote-app" {
			t.Fatalf("app passwords left = %+v, %v", left, err)
		}
	})
}

func TestAudit(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := t.Context()
		for i := range 5 {
			f.now = f.now.Add(time.Second)
			err := f.svc.Audit(ctx, delegation.Entry{Delegated: dana, Controller: carl, Kind: store.AuditWrite,
				Detail: delegation.Detail{Collection: "app.bsky.feed.post", Rkey: string(rune('a' + i)), Action: "create", ClientID: "https://app.example/client.json"}})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.Audit(ctx, delegation.Entry{Delegated: dana, Controller: remote, Kind: store.AuditTokenIssued, Detail: delegation.Detail{Scope: "atproto"}}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []delegation.Entry{
			{Delegated: dana, Controller: carl, Kind: store.AuditGrantAdd},
			{Delegated: dana, Controller: carl, Kind: "nonsense"},
			{Delegated: dana, Controller: "carl", Kind: store.AuditWrite},
		} {
			mustBe(t, "bad entry "+bad.Kind, f.svc.Audit(ctx, bad), delegation.ErrInvalidEntry)
		}
		mustBe(t, "entry of an account not hosted here",
			f.svc.Audit(ctx, delegation.Entry{Delegated: remote, Controller: carl, Kind: store.AuditWrite}), delegation.ErrAccountNotFound)

		page, cursor, err := f.svc.AuditLog(ctx, delegation.AuditFilter{Delegated: dana, Kinds: []string{store.AuditWrite}, Limit: 3})
		if err != nil || len(page) != 3 || cursor == "" || page[0].Detail.Rkey != "e" || page[0].Actor != carl {
			t.Fatalf("first page = %+v, %q, %v", page, cursor, err)
		}
		page, cursor, err = f.svc.AuditLog(ctx, delegation.AuditFilter{Delegated: dana, Kinds: []string{store.AuditWrite}, Limit: 3, Cursor: cursor})
		if err != nil || len(page) != 2 || cursor != "" || page[1].Detail.Rkey != "a" {
			t.Fatalf("second page = %+v, %q, %v", page, cursor, err)
		}
		page, _, err = f.svc.AuditLog(ctx, delegation.AuditFilter{Delegated: dana, Controller: remote})
		if err != nil || len(page) != 1 || page[0].Kind != store.AuditTokenIssued || page[0].Detail.Scope != "atproto" {
			t.Fatalf("remote's entries = %+v, %v", page, err)
		}
		page, _, err = f.svc.AuditLog(ctx, delegation.AuditFilter{Delegated: dana, Since: f.now.Add(-time.Second)})
		if err != nil || len(page) != 3 {
			t.Fatalf("entries since = %+v, %v", page, err)
		}
		for _, bad := range []delegation.AuditFilter{
			{Delegated: dana, Kinds: []string{"nonsense"}},
			{Delegated: dana, Limit: 101},
			{Delegated: dana, Limit: -1},
			{Delegated: dana, Cursor: "x"},
			{Delegated: dana, Cursor: "-4"},
		} {
			_, _, err := f.svc.AuditLog(ctx, bad)
			mustBe(t, "bad filter", err, delegation.ErrInvalidFilter)
		}
	})
}
