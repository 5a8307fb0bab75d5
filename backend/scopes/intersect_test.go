package scopes

import (
	"slices"
	"testing"
)

func TestIntersect(t *testing.T) {
	tests := []struct {
		name               string
		requested, granted string
		want               string
		dropped            []string
	}{
		{
			name:      "the trap: bare repo:* under a create-only grant",
			requested: "atproto repo:*", granted: "atproto repo:*?action=create",
			want:    "atproto repo:*?action=create",
			dropped: []string{"repo:*?action=update&action=delete"},
		},
		{
			name:      "grant wider than request",
			requested: "atproto repo:*?action=create", granted: "atproto repo:*",
			want: "atproto repo:*?action=create",
		},
		{
			name:      "collection under wildcard grant keeps the granted actions only",
			requested: "atproto repo:app.bsky.feed.post", granted: "atproto repo:*?action=create&action=delete",
			want:    "atproto repo:app.bsky.feed.post?action=create&action=delete",
			dropped: []string{"repo:app.bsky.feed.post?action=update"},
		},
		{
			name:      "wildcard request under a collection grant",
			requested: "atproto repo:*?action=create", granted: "atproto repo:app.bsky.feed.post repo:app.bsky.feed.like?action=delete",
			want:    "atproto repo:app.bsky.feed.post?action=create",
			dropped: []string{"repo:*?action=create"},
		},
		{
			name:      "out-of-collection request",
			requested: "atproto repo:com.example.secret", granted: "atproto repo:app.bsky.feed.post",
			want:    "atproto",
			dropped: []string{"repo:com.example.secret"},
		},
		{
			name:      "blob image/* under */*",
			requested: "atproto blob:image/*", granted: "atproto blob:*/*",
			want: "atproto blob:image/*",
		},
		{
			name:      "blob */* under image/*",
			requested: "atproto blob:*/*", granted: "atproto blob:image/*",
			want: "atproto blob:image/*", dropped: []string{"blob:*/*"},
		},
		{
			name:      "blob image/png under image/*",
			requested: "atproto blob:image/png", granted: "atproto blob:image/*",
			want: "atproto blob:image/png",
		},
		{
			name:      "blob disjoint types",
			requested: "atproto blob:video/* blob:image/png", granted: "atproto blob:image/* blob:text/plain",
			want: "atproto blob:image/png", dropped: []string{"blob:video/*"},
		},
		{
			name:      "rpc aud wildcard meets a concrete aud",
			requested: "atproto rpc:app.bsky.feed.getTimeline?aud=*", granted: "atproto rpc:*?aud=did:web:api.bsky.app%23bsky_appview",
			want:    "atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview",
			dropped: []string{"rpc:app.bsky.feed.getTimeline?aud=*"},
		},
		{
			name:      "rpc wrong audience",
			requested: "atproto rpc:app.bsky.feed.getTimeline?aud=did:web:evil.example%23bsky_appview", granted: "atproto rpc:*?aud=did:web:api.bsky.app%23bsky_appview",
			want:    "atproto",
			dropped: []string{"rpc:app.bsky.feed.getTimeline?aud=did:web:evil.example%23bsky_appview"},
		},
		{
			name:      "rpc methods subset",
			requested: "atproto rpc?lxm=a.b.one&lxm=a.b.two&aud=*", granted: "atproto rpc:a.b.one?aud=*",
			want: "atproto rpc:a.b.one?aud=*", dropped: []string{"rpc:a.b.two?aud=*"},
		},
		{
			name:      "account at the lower action",
			requested: "atproto account:email?action=manage account:repo account:status?action=manage", granted: "atproto account:email account:*?action=manage",
			want: "atproto account:email?action=manage account:repo account:status?action=manage",
		},
		{
			name:      "account manage under read",
			requested: "atproto account:email?action=manage", granted: "atproto account:email",
			want: "atproto account:email", dropped: []string{"account:email?action=manage"},
		},
		{
			name:      "identity * under handle",
			requested: "atproto identity:*", granted: "atproto identity:handle",
			want: "atproto identity:handle", dropped: []string{"identity:*"},
		},
		{
			name:      "identity under editor grant",
			requested: "atproto identity:handle repo:*", granted: "atproto repo:*?action=create&action=update&action=delete blob:*/*",
			want: "atproto repo:*", dropped: []string{"identity:handle"},
		},
		{
			name:      "transition:generic on both sides",
			requested: "atproto transition:generic transition:chat.bsky", granted: "atproto transition:generic",
			want: "atproto transition:generic", dropped: []string{"transition:chat.bsky"},
		},
		{
			name:      "transition:generic requested under a granular grant",
			requested: "atproto transition:generic", granted: "atproto repo:*?action=create blob:image/* rpc:app.bsky.feed.getTimeline?aud=* rpc:chat.bsky.convo.getLog?aud=* rpc:*?aud=did:web:api.bsky.app%23bsky_appview",
			want:    "atproto blob:image/* repo:*?action=create rpc:app.bsky.feed.getTimeline?aud=*",
			dropped: []string{"transition:generic"},
		},
		{
			name:      "granular request under transition:generic",
			requested: "atproto repo:app.bsky.feed.post blob:image/* rpc:app.bsky.feed.getTimeline?aud=* rpc:chat.bsky.convo.getLog?aud=* identity:handle", granted: "atproto transition:generic",
			want:    "atproto blob:image/* repo:app.bsky.feed.post rpc:app.bsky.feed.getTimeline?aud=*",
			dropped: []string{"identity:handle", "rpc:chat.bsky.convo.getLog?aud=*"},
		},
		{
			name:      "chat under transition:chat.bsky",
			requested: "atproto rpc:chat.bsky.convo.getLog?aud=* rpc:app.bsky.feed.getFeed?aud=*", granted: "atproto transition:chat.bsky",
			want: "atproto rpc:chat.bsky.convo.getLog?aud=*", dropped: []string{"rpc:app.bsky.feed.getFeed?aud=*"},
		},
		{
			name:      "transition:email meets account:email",
			requested: "atproto transition:email", granted: "atproto account:email?action=manage",
			want: "atproto account:email", dropped: []string{"transition:email"},
		},
		{
			name:      "account:email manage under transition:email",
			requested: "atproto account:email?action=manage", granted: "atproto transition:email",
			want: "atproto account:email", dropped: []string{"account:email?action=manage"},
		},
		{
			name:      "unexpanded include is dropped",
			requested: "atproto include:app.bsky.authFull", granted: "atproto include:app.bsky.authFull repo:*",
			want: "atproto", dropped: []string{"include:app.bsky.authFull"},
		},
	}
	for _, tt := range tests {
		got, dropped := Intersect(MustParse(tt.requested), MustParse(tt.granted))
		if got.String() != tt.want {
			t.Errorf("%s: Intersect = %q, want %q", tt.name, got.String(), tt.want)
		}
		if !slices.Equal(dropped, tt.dropped) {
			t.Errorf("%s: dropped = %q, want %q", tt.name, dropped, tt.dropped)
		}
		for _, tok := range dropped {
			if _, invalid, err := Parse("atproto " + tok); err != nil || len(invalid) != 0 {
				t.Errorf("%s: dropped token %q does not parse: %v %v", tt.name, tok, invalid, err)
			}
		}
	}
}

// TestIntersectNeverWidens checks, over every pair of a set of scopes, that
// the intersection allows nothing either side refuses and everything both
// allow.
func TestIntersectNeverWidens(t *testing.T) {
	scopes := []string{
		"atproto",
		"atproto repo:*",
		"atproto repo:*?action=create",
		"atproto repo:app.bsky.feed.post?action=delete repo:*?action=update",
		"atproto blob:*/* blob:image/png",
		"atproto blob:image/* blob:video/mp4",
		"atproto rpc:*?aud=did:web:api.bsky.app%23bsky_appview rpc:chat.bsky.convo.getLog?aud=*",
		"atproto rpc:app.bsky.feed.getTimeline?aud=* rpc:*?aud=did:web:api.bsky.chat%23bsky_chat",
		"atproto transition:generic",
		"atproto transition:generic transition:chat.bsky transition:email",
		"atproto transition:chat.bsky account:status",
		"atproto account:*?action=manage identity:*",
		"atproto account:email identity:handle transition:email",
	}
	for _, p := range PresetNames() {
		scopes = append(scopes, presetScopes[p])
	}
	sets := []Set{LegacySession(), Legacy(true), Legacy(false)}
	for _, s := range scopes {
		sets = append(sets, MustParse(s))
	}
	collections := []string{"app.bsky.feed.post", "app.bsky.feed.like"}
	mimes := []string{"image/png", "image/gif", "video/mp4", "text/plain"}
	calls := [][2]string{
		{"app.bsky.feed.getTimeline", appview}, {"app.bsky.feed.getTimeline", chatSvc},
		{"chat.bsky.convo.getLog", chatSvc}, {"chat.bsky.convo.getLog", appview},
		{"*", appview}, {"*", chatSvc}, {"com.example.other", "did:web:x.example#y"},
	}
	for _, a := range sets {
		for _, b := range sets {
			got, _ := Intersect(a, b)
			name := a.String() + " ∩ " + b.String()
			again, _, err := Parse(got.String())
			if err != nil || !again.Equal(got) {
				t.Errorf("%s: result %q does not round-trip", name, got)
			}
			for _, c := range collections {
				for _, act := range []Action{ActionCreate, ActionUpdate, ActionDelete} {
					if got.AllowsRepo(c, act) != (a.AllowsRepo(c, act) && b.AllowsRepo(c, act)) {
						t.Errorf("%s: AllowsRepo(%s, %s) = %v", name, c, act, got.AllowsRepo(c, act))
					}
				}
			}
			for _, m := range mimes {
				if got.AllowsBlob(m) != (a.AllowsBlob(m) && b.AllowsBlob(m)) {
					t.Errorf("%s: AllowsBlob(%s) = %v", name, m, got.AllowsBlob(m))
				}
			}
			for _, c := range calls {
				g, both := got.AllowsRPC(c[0], c[1]), a.AllowsRPC(c[0], c[1]) && b.AllowsRPC(c[0], c[1])
				// Under-approximation is allowed where the exact answer has
				// no scope form; over-granting never is.
				if g && !both {
					t.Errorf("%s: AllowsRPC(%s, %s) over-grants", name, c[0], c[1])
				}
				if !g && both && c[0] != "*" && !inexpressible(a, b) && !inexpressible(b, a) {
					t.Errorf("%s: AllowsRPC(%s, %s) lost", name, c[0], c[1])
				}
			}
			for _, attr := range accountAttrs {
				for _, act := range []string{AccountRead, AccountManage} {
					if got.AllowsAccount(attr, act) != (a.AllowsAccount(attr, act) && b.AllowsAccount(attr, act)) {
						t.Errorf("%s: AllowsAccount(%s, %s) = %v", name, attr, act, got.AllowsAccount(attr, act))
					}
				}
			}
			for _, attr := range []string{IdentityHandle, IdentityAll} {
				if got.AllowsIdentity(attr) != (a.AllowsIdentity(attr) && b.AllowsIdentity(attr)) {
					t.Errorf("%s: AllowsIdentity(%s) = %v", name, attr, got.AllowsIdentity(attr))
				}
			}
		}
	}
}

// inexpressible reports whether a has an rpc permission for any method and b
// reaches it only through one transition scope: "every method at X except
// chat.bsky.*" (or "only chat.bsky.* at X") has no scope form, so Intersect
// drops it.
func inexpressible(a, b Set) bool {
	a, b = asOAuth(a), asOAuth(b)
	one := b.trans&(transGeneric|transChat) == transGeneric || b.trans&(transGeneric|transChat) == transChat
	for p := range a.rpc {
		if p.lxm == "*" && one {
			return true
		}
	}
	return false
}
