package scopes

import "testing"

func TestAllowsRepo(t *testing.T) {
	tests := []struct {
		scope      string
		collection string
		action     Action
		want       bool
	}{
		{"atproto", "app.bsky.feed.post", ActionCreate, false},
		{"atproto repo:*", "app.bsky.feed.post", ActionCreate, true},
		{"atproto repo:*", "app.bsky.feed.post", ActionDelete, true},
		{"atproto repo:*?action=create", "app.bsky.feed.post", ActionCreate, true},
		{"atproto repo:*?action=create", "app.bsky.feed.post", ActionUpdate, false},
		{"atproto repo:*?action=create", "app.bsky.feed.post", ActionDelete, false},
		{"atproto repo:app.bsky.feed.post", "app.bsky.feed.post", ActionUpdate, true},
		{"atproto repo:app.bsky.feed.post", "app.bsky.feed.like", ActionCreate, false},
		{"atproto repo?collection=app.bsky.feed.post&collection=app.bsky.feed.like&action=delete", "app.bsky.feed.like", ActionDelete, true},
		{"atproto repo?collection=app.bsky.feed.post&collection=app.bsky.feed.like&action=delete", "app.bsky.feed.like", ActionCreate, false},
		{"atproto repo:*?action=create repo:app.bsky.feed.post?action=delete", "app.bsky.feed.post", ActionDelete, true},
		{"atproto repo:*?action=create repo:app.bsky.feed.post?action=delete", "app.bsky.feed.like", ActionDelete, false},
		{"atproto transition:generic", "com.example.anything", ActionDelete, true},
		{"atproto transition:chat.bsky transition:email", "app.bsky.feed.post", ActionCreate, false},
		{"atproto include:app.bsky.authFull", "app.bsky.feed.post", ActionCreate, false},
		// not a single action
		{"atproto repo:*", "app.bsky.feed.post", ActionCreate | ActionDelete, false},
		{"atproto repo:*", "app.bsky.feed.post", 0, false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.scope).AllowsRepo(tt.collection, tt.action); got != tt.want {
			t.Errorf("%q.AllowsRepo(%s, %s) = %v, want %v", tt.scope, tt.collection, tt.action, got, tt.want)
		}
	}
}

func TestAllowsBlob(t *testing.T) {
	tests := []struct {
		scope, mime string
		want        bool
	}{
		{"atproto", "image/png", false},
		{"atproto blob:*/*", "image/png", true},
		{"atproto blob:*/*", "application/json", true},
		{"atproto blob:image/*", "image/png", true},
		{"atproto blob:image/*", "IMAGE/PNG", true},
		{"atproto blob:image/*", "video/mp4", false},
		{"atproto blob:image/*", "imagex/png", false},
		{"atproto blob:image/png", "image/png", true},
		{"atproto blob:image/png", "image/jpeg", false},
		{"atproto blob?accept=video/*&accept=text/html", "text/html", true},
		{"atproto blob?accept=video/*&accept=text/html", "text/plain", false},
		{"atproto transition:generic", "foo/bar", true},
		// malformed types are refused even under */*
		{"atproto blob:*/*", "image", false},
		{"atproto blob:*/*", "image/*", false},
		{"atproto blob:*/*", "", false},
		{"atproto blob:*/*", "a/b/c", false},
		{"atproto transition:generic", "nonsense", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.scope).AllowsBlob(tt.mime); got != tt.want {
			t.Errorf("%q.AllowsBlob(%q) = %v, want %v", tt.scope, tt.mime, got, tt.want)
		}
	}
}

const (
	appview = "did:web:api.bsky.app#bsky_appview"
	chatSvc = "did:web:api.bsky.chat#bsky_chat"
)

func TestAllowsRPC(t *testing.T) {
	tests := []struct {
		scope, lxm, aud string
		want            bool
	}{
		{"atproto", "app.bsky.feed.getTimeline", appview, false},
		{"atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview", "app.bsky.feed.getTimeline", appview, true},
		{"atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview", "app.bsky.feed.getTimeline", "did:web:other.example#bsky_appview", false},
		{"atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview", "app.bsky.feed.getTimeline", "did:web:api.bsky.app#other", false},
		{"atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview", "app.bsky.feed.getFeed", appview, false},
		{"atproto rpc:app.bsky.feed.getTimeline?aud=*", "app.bsky.feed.getTimeline", "did:web:any.example#x", true},
		{"atproto rpc:*?aud=did:web:api.bsky.app%23bsky_appview", "app.bsky.feed.getFeed", appview, true},
		{"atproto rpc:*?aud=did:web:api.bsky.app%23bsky_appview", "app.bsky.feed.getFeed", chatSvc, false},
		{"atproto rpc:*?aud=did:web:api.bsky.app%23bsky_appview", "*", appview, true},
		{"atproto rpc:app.bsky.feed.getFeed?aud=*", "*", appview, false},
		// transition scopes
		{"atproto transition:generic", "app.bsky.feed.getTimeline", appview, true},
		{"atproto transition:generic", "chat.bsky.convo.sendMessage", chatSvc, false},
		{"atproto transition:generic", "*", appview, false},
		{"atproto transition:chat.bsky", "chat.bsky.convo.sendMessage", chatSvc, true},
		{"atproto transition:chat.bsky", "app.bsky.feed.getTimeline", appview, false},
		{"atproto transition:generic transition:chat.bsky", "*", chatSvc, true},
		{"atproto transition:generic rpc:chat.bsky.convo.getLog?aud=*", "chat.bsky.convo.getLog", chatSvc, true},
		// malformed requests
		{"atproto transition:generic", "", appview, false},
		{"atproto rpc:a.b.c?aud=*", "a.b.c", "", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.scope).AllowsRPC(tt.lxm, tt.aud); got != tt.want {
			t.Errorf("%q.AllowsRPC(%s, %s) = %v, want %v", tt.scope, tt.lxm, tt.aud, got, tt.want)
		}
	}
}

func TestAllowsAccount(t *testing.T) {
	tests := []struct {
		scope, attr, action string
		want                bool
	}{
		{"atproto", AccountEmail, AccountRead, false},
		{"atproto account:email", AccountEmail, AccountRead, true},
		{"atproto account:email", AccountEmail, AccountManage, false},
		{"atproto account:email", AccountRepo, AccountRead, false},
		{"atproto account:email?action=manage", AccountEmail, AccountRead, true},
		{"atproto account:email?action=manage", AccountEmail, AccountManage, true},
		{"atproto account:repo?action=manage", AccountRepo, AccountManage, true},
		{"atproto account:repo?action=manage", AccountStatus, AccountManage, false},
		{"atproto account:status", AccountStatus, AccountRead, true},
		{"atproto account:status", AccountStatus, AccountManage, false},
		{"atproto account:*?action=manage", AccountStatus, AccountManage, true},
		{"atproto account:*?action=manage", AccountEmail, AccountManage, true},
		{"atproto account:*", AccountRepo, AccountManage, false},
		// transition:email reads the email only; transition:generic grants nothing
		{"atproto transition:email", AccountEmail, AccountRead, true},
		{"atproto transition:email", AccountEmail, AccountManage, false},
		{"atproto transition:email", AccountRepo, AccountRead, false},
		{"atproto transition:generic", AccountEmail, AccountRead, false},
		{"atproto transition:generic", AccountStatus, AccountRead, false},
		// malformed requests
		{"atproto account:*?action=manage", "*", AccountRead, false},
		{"atproto account:*?action=manage", "phone", AccountRead, false},
		{"atproto account:*?action=manage", AccountEmail, "", false},
		{"atproto account:*?action=manage", AccountEmail, "delete", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.scope).AllowsAccount(tt.attr, tt.action); got != tt.want {
			t.Errorf("%q.AllowsAccount(%s, %s) = %v, want %v", tt.scope, tt.attr, tt.action, got, tt.want)
		}
	}
}

func TestAllowsIdentity(t *testing.T) {
	tests := []struct {
		scope, attr string
		want        bool
	}{
		{"atproto", IdentityHandle, false},
		{"atproto identity:handle", IdentityHandle, true},
		{"atproto identity:handle", IdentityAll, false},
		{"atproto identity:*", IdentityHandle, true},
		{"atproto identity:*", IdentityAll, true},
		{"atproto transition:generic transition:chat.bsky transition:email", IdentityHandle, false},
		{"atproto identity:*", "did", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.scope).AllowsIdentity(tt.attr); got != tt.want {
			t.Errorf("%q.AllowsIdentity(%s) = %v, want %v", tt.scope, tt.attr, got, tt.want)
		}
	}
}

func TestLegacy(t *testing.T) {
	type checks struct {
		repo, blob, rpc, chat, anyLxm, emailRead, emailManage, statusManage, handle, identityAll, manages bool
	}
	tests := []struct {
		name string
		set  Set
		kind LegacyKind
		want checks
	}{
		{"password", LegacySession(), LegacyPassword, checks{true, true, true, true, true, true, true, true, true, true, true}},
		{"privileged app password", Legacy(true), LegacyAppPasswordPrivileged, checks{true, true, true, true, true, true, false, false, true, false, false}},
		{"app password", Legacy(false), LegacyAppPassword, checks{true, true, true, false, false, true, false, false, true, false, false}},
	}
	for _, tt := range tests {
		s := tt.set
		if !s.IsFull() || s.LegacyKind() != tt.kind || !s.HasAtproto() {
			t.Errorf("%s: IsFull %v, kind %v", tt.name, s.IsFull(), s.LegacyKind())
		}
		got := checks{
			repo:         s.AllowsRepo("com.example.anything", ActionDelete),
			blob:         s.AllowsBlob("video/mp4"),
			rpc:          s.AllowsRPC("app.bsky.feed.getTimeline", appview),
			chat:         s.AllowsRPC("chat.bsky.convo.sendMessage", chatSvc),
			anyLxm:       s.AllowsRPC("*", chatSvc),
			emailRead:    s.AllowsAccount(AccountEmail, AccountRead),
			emailManage:  s.AllowsAccount(AccountEmail, AccountManage),
			statusManage: s.AllowsAccount(AccountStatus, AccountManage),
			handle:       s.AllowsIdentity(IdentityHandle),
			identityAll:  s.AllowsIdentity(IdentityAll),
			manages:      s.ManagesAccount(),
		}
		if got != tt.want {
			t.Errorf("%s: checks = %+v, want %+v", tt.name, got, tt.want)
		}
		if s.String() != tt.kind.String() || s.Tokens() != nil {
			t.Errorf("%s: String %q, Tokens %v", tt.name, s.String(), s.Tokens())
		}
		// A legacy claim name is never accepted as an OAuth scope.
		if _, invalid, _ := Parse("atproto " + s.String()); len(invalid) != 1 {
			t.Errorf("%s: Parse accepted the legacy claim %q", tt.name, s.String())
		}
	}
	if MustParse("atproto transition:generic").IsFull() {
		t.Error("an OAuth Set reports IsFull")
	}
}

func TestManagesAccount(t *testing.T) {
	for scope, want := range map[string]bool{
		"atproto account:*?action=manage": true,
		"atproto account:email?action=manage account:repo?action=manage account:status?action=manage": true,
		"atproto account:email?action=manage account:repo?action=manage":                              false,
		"atproto account:*":          false,
		"atproto transition:generic": false,
	} {
		if got := MustParse(scope).ManagesAccount(); got != want {
			t.Errorf("%q.ManagesAccount() = %v, want %v", scope, got, want)
		}
	}
}

func TestZeroSetAllowsNothing(t *testing.T) {
	var s Set
	if s.AllowsRepo("a.b.c", ActionCreate) || s.AllowsBlob("image/png") || s.AllowsRPC("a.b.c", appview) ||
		s.AllowsAccount(AccountEmail, AccountRead) || s.AllowsIdentity(IdentityHandle) || s.IsFull() || s.HasAtproto() {
		t.Error("the zero Set allows something")
	}
	if s.String() != "" || !s.IsEmpty() {
		t.Errorf("zero Set String %q", s.String())
	}
}
