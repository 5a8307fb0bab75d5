package delegation_test

import (
	"log/slog"
	"testing"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

func TestResolveAccount(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		dir := indigoid.NewMockDirectory()
		dir.Insert(indigoid.Identity{DID: syntax.DID(remote), Handle: syntax.Handle("far.example.com")})
		withDir := delegation.New(delegation.Config{Store: f.st, Directory: dir, Logger: slog.New(slog.DiscardHandler)})
		ctx := t.Context()
		for _, c := range []struct {
			svc   *delegation.Service
			ident string
			want  string
		}{
			{f.svc, "carl.test", carl},
			{f.svc, "@CARL.test", carl},
			{f.svc, carl, carl},
			{f.svc, remote, remote}, // no directory: a DID is taken as written
			{withDir, "far.example.com", remote},
			{withDir, remote, remote},
			{withDir, "carl.test", carl},
		} {
			got, err := c.svc.ResolveAccount(ctx, c.ident)
			if err != nil || got != c.want {
				t.Errorf("ResolveAccount(%q) = %q, %v; want %q", c.ident, got, err, c.want)
			}
		}
		for _, c := range []struct {
			svc   *delegation.Service
			ident string
		}{
			{f.svc, "nobody.test"},
			{f.svc, "not a handle"},
			{f.svc, ""},
			{withDir, "nobody.example.com"},
			{withDir, "did:plc:unknown00000000000000000"},
		} {
			_, err := c.svc.ResolveAccount(ctx, c.ident)
			mustBe(t, "ResolveAccount("+c.ident+")", err, delegation.ErrAccountNotFound)
		}
		if h := withDir.HandleOf(ctx, remote); h != "far.example.com" {
			t.Errorf("HandleOf(remote) = %q", h)
		}
		if h := f.svc.HandleOf(ctx, carl); h != "carl.test" {
			t.Errorf("HandleOf(carl) = %q", h)
		}
	})
}

func TestPresets(t *testing.T) {
	ps := delegation.Presets()
	if len(ps) != len(scopes.PresetNames()) {
		t.Fatalf("presets = %+v", ps)
	}
	for i, p := range ps {
		set, err := scopes.Preset(p.Name)
		if err != nil || p.Name != scopes.PresetNames()[i] || p.Scope != set.String() || len(p.Description) == 0 {
			t.Errorf("preset %d = %+v", i, p)
		}
	}
}
