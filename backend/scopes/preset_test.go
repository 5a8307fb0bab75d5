package scopes

import (
	"errors"
	"slices"
	"testing"
)

func TestPresets(t *testing.T) {
	tests := []struct {
		name string
		want string
		// what the preset allows, probed with the checks
		create, delete, blob, handle, didDoc, emailManage, statusRead, manages bool
	}{
		{PresetOwner, "atproto account:email?action=manage account:repo?action=manage account:status?action=manage blob:*/* identity:* repo:*",
			true, true, true, true, true, true, true, true},
		{PresetAdmin, "atproto account:email?action=manage account:repo?action=manage account:status?action=manage blob:*/* repo:*",
			true, true, true, false, false, true, true, true},
		{PresetEditor, "atproto account:status blob:*/* repo:*",
			true, true, true, false, false, false, true, false},
		{PresetViewer, "atproto account:status",
			false, false, false, false, false, false, true, false},
	}
	if got := PresetNames(); !slices.Equal(got, []string{PresetOwner, PresetAdmin, PresetEditor, PresetViewer}) {
		t.Errorf("PresetNames = %v", got)
	}
	for _, tt := range tests {
		s, err := Preset(tt.name)
		if err != nil {
			t.Fatalf("Preset(%s): %v", tt.name, err)
		}
		if s.String() != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, s, tt.want)
		}
		got := []bool{
			s.AllowsRepo("app.bsky.feed.post", ActionCreate), s.AllowsRepo("app.bsky.feed.post", ActionDelete),
			s.AllowsBlob("image/png"), s.AllowsIdentity(IdentityHandle), s.AllowsIdentity(IdentityAll),
			s.AllowsAccount(AccountEmail, AccountManage), s.AllowsAccount(AccountStatus, AccountRead), s.ManagesAccount(),
		}
		want := []bool{tt.create, tt.delete, tt.blob, tt.handle, tt.didDoc, tt.emailManage, tt.statusRead, tt.manages}
		if !slices.Equal(got, want) {
			t.Errorf("%s checks = %v, want %v", tt.name, got, want)
		}
		if s.AllowsRPC("app.bsky.feed.getTimeline", appview) || s.IsFull() {
			t.Errorf("%s allows rpc or is full", tt.name)
		}
		if name, ok := PresetOf(s); !ok || name != tt.name {
			t.Errorf("PresetOf(%s) = %q, %v", tt.name, name, ok)
		}
	}
	if _, err := Preset("root"); !errors.Is(err, ErrUnknownPreset) {
		t.Errorf("Preset(root) err = %v", err)
	}
	if name, ok := PresetOf(MustParse("atproto repo:*?action=create")); ok {
		t.Errorf("PresetOf(custom) = %q", name)
	}
}

// Presets are ordered: each allows no more than the one before it.
func TestPresetsNested(t *testing.T) {
	names := PresetNames()
	for i := 1; i < len(names); i++ {
		wider, _ := Preset(names[i-1])
		narrower, _ := Preset(names[i])
		got, dropped := Intersect(narrower, wider)
		if !got.Equal(narrower) || len(dropped) != 0 {
			t.Errorf("%s ∩ %s = %q, dropped %v; want %s unchanged", names[i], names[i-1], got, dropped, names[i])
		}
	}
}

func TestCanDelegate(t *testing.T) {
	for lxm, want := range map[string]bool{
		"dev.hearthpds.delegation.addController":   false,
		"dev.hearthpds.delegation.listControllers": false,
		"Dev.HearthPDS.delegation.addController":   false,
		"dev.hearthpds.delegationx.foo":            true,
		"com.atproto.repo.createRecord":            true,
		"app.bsky.feed.getTimeline":                true,
	} {
		if got := CanDelegate(lxm); got != want {
			t.Errorf("CanDelegate(%s) = %v, want %v", lxm, got, want)
		}
	}
}

func TestDelegable(t *testing.T) {
	s := MustParse("atproto repo:* rpc:dev.hearthpds.delegation.addController?aud=* rpc:app.bsky.feed.getTimeline?aud=*")
	got, removed := Delegable(s)
	if want := "atproto repo:* rpc:app.bsky.feed.getTimeline?aud=*"; got.String() != want {
		t.Errorf("Delegable = %q, want %q", got, want)
	}
	if want := []string{"rpc:dev.hearthpds.delegation.addController?aud=*"}; !slices.Equal(removed, want) {
		t.Errorf("removed = %v, want %v", removed, want)
	}
	if got, removed := Delegable(LegacySession()); !got.IsEmpty() || got.IsFull() || len(removed) != 1 {
		t.Errorf("Delegable(legacy) = %q, %v", got, removed)
	}
}
