package scopes

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// testSets are permission sets in the shape of the spec's example.
var testSets = MapExpander{
	"com.example.authBasicFeatures": {
		Title: "Basic App Functionality",
		Permissions: []SetPermission{
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.post"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.like"}, Action: []string{"delete"}},
			{Type: "permission", Resource: "rpc", InheritAud: true, LXM: []string{"com.example.getFeed", "com.example.getProfile"}},
			{Type: "permission", Resource: "rpc", Aud: "*", LXM: []string{"com.example.getFeedSkeleton"}},
			// each of these breaks a rule and is ignored
			{Type: "permission", Resource: "repo", Collection: []string{"*"}},
			{Type: "permission", Resource: "repo", Collection: []string{"org.other.post"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.ok", "org.other.post"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.post"}, Action: []string{"read"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.post"}, LXM: []string{"com.example.x"}},
			{Type: "permission", Resource: "rpc", LXM: []string{"*"}, Aud: "*"},
			{Type: "permission", Resource: "rpc", LXM: []string{"com.example.noAud"}},
			{Type: "permission", Resource: "rpc", LXM: []string{"com.example.both"}, Aud: "*", InheritAud: true},
			{Type: "permission", Resource: "rpc", LXM: []string{"com.example.didAud"}, Aud: "did:web:api.example.com#svc"},
			{Type: "permission", Resource: "blob", Collection: []string{"image/*"}},
			{Type: "permission", Resource: "identity"},
			{Type: "permission", Resource: "account"},
			{Type: "permission", Resource: "space", Collection: []string{"com.example.post"}},
			{Type: "ref", Resource: "repo", Collection: []string{"com.example.ref"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.flagged"}, Invalid: "unexpected field"},
		},
	},
	"com.example.feed.authOnlyPost": {
		Permissions: []SetPermission{
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.feed.post"}, Action: []string{"create"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.actor.profile"}},
			{Type: "permission", Resource: "repo", Collection: []string{"com.example.feed.deep.thing"}},
		},
	},
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name, scope string
		exp         Expander
		want        string
		dropped     []string
	}{
		{
			name:  "aud inherited from the include",
			scope: "atproto include:com.example.authBasicFeatures?aud=did:web:api.example.com%23svc_appview",
			exp:   testSets,
			want: "atproto repo:com.example.like?action=delete repo:com.example.post " +
				"rpc:com.example.getFeedSkeleton?aud=* rpc?lxm=com.example.getFeed&lxm=com.example.getProfile&aud=did:web:api.example.com%23svc_appview",
		},
		{
			name:  "no aud on the include: inheriting entries are ignored",
			scope: "atproto include:com.example.authBasicFeatures",
			exp:   testSets,
			want:  "atproto repo:com.example.like?action=delete repo:com.example.post rpc:com.example.getFeedSkeleton?aud=*",
		},
		{
			name:  "aud * is inherited as *",
			scope: "atproto include:com.example.authBasicFeatures?aud=*",
			exp:   testSets,
			want: "atproto repo:com.example.like?action=delete repo:com.example.post " +
				"rpc?lxm=com.example.getFeed&lxm=com.example.getFeedSkeleton&lxm=com.example.getProfile&aud=*",
		},
		{
			name:  "namespace authority: same group and below, not siblings",
			scope: "atproto include:com.example.feed.authOnlyPost",
			exp:   testSets,
			want:  "atproto repo:com.example.feed.deep.thing repo:com.example.feed.post?action=create",
		},
		{
			name:  "merges with direct permissions",
			scope: "atproto repo:*?action=create include:com.example.feed.authOnlyPost blob:image/*",
			exp:   testSets,
			want:  "atproto blob:image/* repo:*?action=create repo:com.example.feed.deep.thing?action=update&action=delete",
		},
		{
			name:    "unknown set is dropped, never granted",
			scope:   "atproto include:org.unknown.authAll include:com.example.feed.authOnlyPost",
			exp:     testSets,
			want:    "atproto repo:com.example.feed.deep.thing repo:com.example.feed.post?action=create",
			dropped: []string{"include:org.unknown.authAll"},
		},
		{
			name:    "no expander",
			scope:   "atproto repo:a.b.c include:com.example.feed.authOnlyPost?aud=*",
			exp:     nil,
			want:    "atproto repo:a.b.c",
			dropped: []string{"include:com.example.feed.authOnlyPost?aud=*"},
		},
		{
			name:  "nothing to expand",
			scope: "atproto transition:generic",
			exp:   nil,
			want:  "atproto transition:generic",
		},
	}
	for _, tt := range tests {
		got, dropped := MustParse(tt.scope).Expand(context.Background(), tt.exp)
		if got.String() != tt.want {
			t.Errorf("%s: Expand = %q\n want %q", tt.name, got.String(), tt.want)
		}
		if !slices.Equal(dropped, tt.dropped) {
			t.Errorf("%s: dropped = %q, want %q", tt.name, dropped, tt.dropped)
		}
		if len(got.Includes()) != 0 {
			t.Errorf("%s: includes left: %v", tt.name, got.Includes())
		}
	}
}

func TestExpandThenIntersect(t *testing.T) {
	ctx := context.Background()
	req, _ := MustParse("atproto include:com.example.authBasicFeatures?aud=did:web:api.example.com%23svc_appview").Expand(ctx, testSets)
	granted := MustParse("atproto repo:*?action=create rpc:*?aud=did:web:api.example.com%23svc_appview")
	got, dropped := Intersect(req, granted)
	want := "atproto repo:com.example.post?action=create " +
		"rpc?lxm=com.example.getFeed&lxm=com.example.getFeedSkeleton&lxm=com.example.getProfile&aud=did:web:api.example.com%23svc_appview"
	if got.String() != want {
		t.Errorf("Intersect = %q\n want %q", got, want)
	}
	wantDropped := []string{"repo:com.example.like?action=delete", "repo:com.example.post?action=update&action=delete", "rpc:com.example.getFeedSkeleton?aud=*"}
	if !slices.Equal(dropped, wantDropped) {
		t.Errorf("dropped = %q, want %q", dropped, wantDropped)
	}
}

func TestMapExpanderUnknown(t *testing.T) {
	_, err := testSets.PermissionSet(context.Background(), "org.nope.set")
	if !errors.Is(err, ErrUnknownPermissionSet) {
		t.Errorf("err = %v, want ErrUnknownPermissionSet", err)
	}
}

func TestLexiconExpander(t *testing.T) {
	// The embedded lexicons hold no permission sets: records and methods are
	// not sets, and unknown NSIDs are unknown.
	for _, nsid := range []string{"app.bsky.feed.post", "app.bsky.feed.getTimeline", "app.bsky.authFull", "not an nsid"} {
		_, err := LexiconExpander{}.PermissionSet(context.Background(), nsid)
		if err == nil {
			t.Errorf("PermissionSet(%q) succeeded", nsid)
		}
	}
	_, err := LexiconExpander{}.PermissionSet(context.Background(), "app.bsky.authFull")
	if !errors.Is(err, ErrUnknownPermissionSet) {
		t.Errorf("err = %v, want ErrUnknownPermissionSet", err)
	}
}

func TestDecodePermissionSet(t *testing.T) {
	doc := `{
	  "lexicon": 1,
	  "id": "com.example.authBasicFeatures",
	  "defs": {
	    "main": {
	      "type": "permission-set",
	      "title": "Basic App Functionality",
	      "title:lang": {"ja": "基本的なアプリ機能"},
	      "detail": "Creation of posts and interactions",
	      "permissions": [
	        {"type": "permission", "resource": "repo", "collection": ["com.example.post"], "description": "posts"},
	        {"type": "permission", "resource": "repo", "collection": ["com.example.like"], "action": ["delete"], "when": "never"},
	        {"type": "permission", "resource": "rpc", "inheritAud": true, "lxm": ["com.example.getFeed"]},
	        {"type": "permission", "resource": "rpc", "aud": "*", "lxm": "com.example.notAnArray"},
	        {"type": "permission", "resource": "repo", "lxm": ["com.example.getFeed"], "collection": ["com.example.x"]}
	      ]
	    }
	  }
	}`
	ps, err := DecodePermissionSet([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if ps.Title != "Basic App Functionality" || ps.Detail != "Creation of posts and interactions" || len(ps.Permissions) != 5 {
		t.Fatalf("decoded %+v", ps)
	}
	var invalid []bool
	for _, p := range ps.Permissions {
		invalid = append(invalid, p.Invalid != "")
	}
	if want := []bool{false, true, false, true, true}; !slices.Equal(invalid, want) {
		t.Errorf("invalid = %v, want %v", invalid, want)
	}
	got, _ := MustParse("atproto include:com.example.authBasicFeatures?aud=*").Expand(context.Background(),
		MapExpander{"com.example.authBasicFeatures": ps})
	if want := "atproto repo:com.example.post rpc:com.example.getFeed?aud=*"; got.String() != want {
		t.Errorf("expanded = %q, want %q", got, want)
	}

	for _, bad := range []string{
		`not json`,
		`{"defs": {}}`,
		`{"defs": {"main": {"type": "record"}}}`,
		`{"defs": {"main": {"type": "permission-set", "permissions": {}}}}`,
	} {
		if _, err := DecodePermissionSet([]byte(bad)); err == nil {
			t.Errorf("DecodePermissionSet(%s) succeeded", bad)
		}
	}
}
