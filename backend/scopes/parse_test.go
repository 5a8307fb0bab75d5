package scopes

import (
	"errors"
	"slices"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		scope string
		want  string // canonical String
	}{
		{"atproto", "atproto"},
		{"  atproto   ", "atproto"},
		{"transition:generic atproto", "atproto transition:generic"},
		{"atproto transition:email transition:chat.bsky transition:generic",
			"atproto transition:generic transition:chat.bsky transition:email"},
		// repo: spec examples
		{"atproto repo:app.example.profile", "atproto repo:app.example.profile"},
		{"atproto repo:app.example.profile?action=create&action=update&action=delete", "atproto repo:app.example.profile"},
		{"atproto repo?collection=app.example.profile&collection=app.example.post",
			"atproto repo?collection=app.example.post&collection=app.example.profile"},
		{"atproto repo:*", "atproto repo:*"},
		{"atproto repo:*?action=delete", "atproto repo:*?action=delete"},
		{"atproto repo:*?action=delete&action=create", "atproto repo:*?action=create&action=delete"},
		{"atproto repo:*?action=create repo:app.example.post", "atproto repo:*?action=create repo:app.example.post?action=update&action=delete"},
		{"atproto repo:* repo:app.example.post?action=create", "atproto repo:*"},
		{"atproto repo:a.b.c?action=create repo:a.b.c?action=delete", "atproto repo:a.b.c?action=create&action=delete"},
		// blob
		{"atproto blob:*/*", "atproto blob:*/*"},
		{"atproto blob?accept=video/*&accept=text/html", "atproto blob:text/html blob:video/*"},
		{"atproto blob:image/png blob:image/*", "atproto blob:image/*"},
		{"atproto blob:image/png blob:*/*", "atproto blob:*/*"},
		// rpc
		{"atproto rpc:app.example.moderation.createReport?aud=*", "atproto rpc:app.example.moderation.createReport?aud=*"},
		{"atproto rpc?lxm=*&aud=did:web:api.example.com%23svc_appview", "atproto rpc:*?aud=did:web:api.example.com%23svc_appview"},
		{"atproto rpc?lxm=a.b.c&lxm=a.b.d&aud=did:web:x.com%23s", "atproto rpc?lxm=a.b.c&lxm=a.b.d&aud=did:web:x.com%23s"},
		{"atproto rpc:a.b.c?aud=did:web:x.com%23s rpc:a.b.c?aud=*", "atproto rpc:a.b.c?aud=*"},
		{"atproto rpc:a.b.c?aud=did:web:x.com%23s rpc:*?aud=did:web:x.com%23s", "atproto rpc:*?aud=did:web:x.com%23s"},
		{"atproto rpc:a.b.c?aud=did:web:localhost%253A8080%23s", "atproto rpc:a.b.c?aud=did:web:localhost%253A8080%23s"},
		{"atproto transition:generic rpc:a.b.c?aud=* rpc:chat.bsky.convo.getLog?aud=*",
			"atproto transition:generic rpc:chat.bsky.convo.getLog?aud=*"},
		// account
		{"atproto account:email", "atproto account:email"},
		{"atproto account:email?action=read", "atproto account:email"},
		{"atproto account?attr=email&action=manage", "atproto account:email?action=manage"},
		{"atproto account:repo?action=manage account:repo", "atproto account:repo?action=manage"},
		{"atproto account:status", "atproto account:status"},
		{"atproto account:status?action=manage", "atproto account:status?action=manage"},
		{"atproto account:*?action=manage", "atproto account:email?action=manage account:repo?action=manage account:status?action=manage"},
		{"atproto account:*", "atproto account:email account:repo account:status"},
		{"atproto transition:email account:email", "atproto transition:email"},
		{"atproto transition:email account:email?action=manage", "atproto transition:email account:email?action=manage"},
		// identity
		{"atproto identity:handle", "atproto identity:handle"},
		{"atproto identity:*?", "atproto identity:*"},
		{"atproto identity:handle identity:*", "atproto identity:*"},
		{"atproto identity?attr=handle", "atproto identity:handle"},
		// include
		{"atproto include:app.example.authBasics", "atproto include:app.example.authBasics"},
		{"atproto include:app.example.authFull?aud=did:web:api.example.com%23svc_chat", "atproto include:app.example.authFull?aud=did:web:api.example.com%23svc_chat"},
		{"atproto include?nsid=com.example.baz&aud=*", "atproto include:com.example.baz?aud=*"},
	}
	for _, tt := range tests {
		s, invalid, err := Parse(tt.scope)
		if err != nil || len(invalid) != 0 {
			t.Errorf("Parse(%q): invalid %v, err %v", tt.scope, invalid, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.scope, got, tt.want)
		}
	}
}

func TestParseInvalidTokens(t *testing.T) {
	tests := []struct {
		token string
		why   string
	}{
		{"invalid", "unknown resource"},
		{"transition:everything", "unknown transition"},
		{"Transition:generic", "case sensitive"},
		{"openid", "not an atproto scope"},
		{"account", "no attribute"},
		{"account:invalid", "unknown attribute"},
		{"account:email?action=invalid", "unknown action"},
		{"account:status?action=delete", "unknown action on extension attribute"},
		{"account:*?action=read&action=manage", "two actions"},
		{"account:status?foo=bar", "unknown parameter"},
		{"account:email?action=read&action=manage", "two actions"},
		{"Account:email", "case sensitive"},
		{"blob", "no pattern"},
		{"blob:*/png", "wildcard type"},
		{"blob:*/**", "double wildcard"},
		{"blob?accept=invalid", "not a MIME type"},
		{"identity:invalid", "unknown attribute"},
		{"identity:*?action=manage", "identity has no action"},
		{"include", "no NSID"},
		{"include:com.example", "short NSID"},
		{"include:com.example.baz?aud=did:web:example.com", "aud without service fragment"},
		{"repo", "no collection"},
		{"repo:*?action=*", "wildcard action"},
		{"repo:com.example.foo?action=Create", "case sensitive action"},
		{"repo:com.example.foo?collection=com.example.bar", "positional and named"},
		{"rpc:com.example.method", "no aud"},
		{"rpc?aud=*&lxm=*", "both wildcards"},
		{"rpc:*?aud=*", "both wildcards"},
		{"rpc:com.example.query?aud=api.example.com", "aud not a DID"},
		{"repo:québec.example.foo", "non-ASCII"},
	}
	for _, tt := range tests {
		s, invalid, err := Parse("atproto " + tt.token + " repo:a.b.c")
		if err != nil {
			t.Errorf("%s (%s): unexpected error %v", tt.token, tt.why, err)
			continue
		}
		if len(invalid) != 1 || invalid[0].Token != tt.token || invalid[0].Err == nil {
			t.Errorf("%s (%s): invalid = %v, want exactly that token with a reason", tt.token, tt.why, invalid)
		}
		if got := s.String(); got != "atproto repo:a.b.c" {
			t.Errorf("%s (%s): Set = %q, want the valid tokens only", tt.token, tt.why, got)
		}
	}
}

func TestParseRequiresAtproto(t *testing.T) {
	for _, scope := range []string{"", "repo:*", "transition:generic", "atproto:foo repo:*"} {
		s, _, err := Parse(scope)
		if !errors.Is(err, ErrNoAtproto) {
			t.Errorf("Parse(%q) err = %v, want ErrNoAtproto", scope, err)
		}
		if !s.IsEmpty() || s.HasAtproto() {
			t.Errorf("Parse(%q) returned a non-zero Set %q", scope, s)
		}
	}
}

func TestParseReportsInvalidInOrder(t *testing.T) {
	_, invalid, err := Parse("atproto zzz repo:* aaa:b blob")
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	for _, i := range invalid {
		toks = append(toks, i.Token)
	}
	if want := []string{"zzz", "aaa:b", "blob"}; !slices.Equal(toks, want) {
		t.Errorf("invalid = %v, want %v", toks, want)
	}
}

func TestRoundTrip(t *testing.T) {
	scopes := []string{
		"atproto",
		"atproto transition:generic transition:chat.bsky transition:email",
		"atproto repo:*?action=create repo?collection=app.bsky.feed.like&collection=app.bsky.feed.post&action=update " +
			"blob:image/* blob:video/mp4 rpc?lxm=app.bsky.feed.getTimeline&lxm=app.bsky.actor.getPreferences&aud=did:web:api.bsky.app%23bsky_appview " +
			"rpc:*?aud=did:web:feed.example%23bsky_fg rpc:com.atproto.moderation.createReport?aud=* account:email?action=manage " +
			"account:status identity:handle include:app.bsky.authFull?aud=did:web:api.bsky.app%23bsky_appview include:com.example.authA",
		"atproto rpc:a.b.c?aud=did:web:localhost%253A2583%23atproto_pds",
	}
	for _, p := range PresetNames() {
		scopes = append(scopes, presetScopes[p])
	}
	for _, scope := range scopes {
		s := MustParse(scope)
		again, invalid, err := Parse(s.String())
		if err != nil || len(invalid) != 0 {
			t.Errorf("Parse(%q): invalid %v, err %v", s.String(), invalid, err)
			continue
		}
		if again.String() != s.String() {
			t.Errorf("round trip of %q: %q != %q", scope, again.String(), s.String())
		}
		if !again.Equal(s) {
			t.Errorf("round trip of %q: sets differ", scope)
		}
		if got := len(again.Tokens()); got != len(s.Tokens()) {
			t.Errorf("round trip of %q: %d tokens, want %d", scope, got, len(s.Tokens()))
		}
	}
}

func TestParseAction(t *testing.T) {
	for name, want := range map[string]Action{"create": ActionCreate, "update": ActionUpdate, "delete": ActionDelete} {
		got, err := ParseAction(name)
		if err != nil || got != want {
			t.Errorf("ParseAction(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseAction("read"); err == nil {
		t.Error("ParseAction(read) succeeded")
	}
	if got := (ActionCreate | ActionDelete).String(); got != "create|delete" {
		t.Errorf("String = %q", got)
	}
	if got := Action(0).String(); got != "none" {
		t.Errorf("String = %q", got)
	}
}

func TestMustParsePanics(t *testing.T) {
	for _, scope := range []string{"repo:*", "atproto bogus"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MustParse(%q) did not panic", scope)
				}
			}()
			MustParse(scope)
		}()
	}
}
