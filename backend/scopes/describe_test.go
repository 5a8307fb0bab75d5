package scopes

import (
	"slices"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		scope string
		want  []string
	}{
		{"atproto", []string{"Know which account you are (your DID and handle)"}},
		{"atproto repo:*?action=create", []string{
			"Know which account you are (your DID and handle)",
			"Create records in any collection",
		}},
		{"atproto repo:*?action=create repo?collection=app.bsky.feed.post&collection=com.example.thing&action=delete&action=update", []string{
			"Know which account you are (your DID and handle)",
			"Create records in any collection",
			"Update and delete posts (app.bsky.feed.post), com.example.thing records",
		}},
		{"atproto blob:image/* blob:video/mp4 blob:*/* ", []string{
			"Know which account you are (your DID and handle)",
			"Upload files of any kind",
		}},
		{"atproto blob:image/* blob:application/pdf", []string{
			"Know which account you are (your DID and handle)",
			"Upload application/pdf files",
			"Upload images",
		}},
		{"atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview rpc:*?aud=did:web:feed.example%23bsky_fg rpc:com.atproto.moderation.createReport?aud=*", []string{
			"Know which account you are (your DID and handle)",
			"Call com.atproto.moderation.createReport at any service",
			"Call app.bsky.feed.getTimeline at did:web:api.bsky.app#bsky_appview",
			"Call any method at did:web:feed.example#bsky_fg",
		}},
		{"atproto identity:handle account:email?action=manage account:status account:repo?action=manage", []string{
			"Know which account you are (your DID and handle)",
			"See and change your email address",
			"Import a whole repository (account migration)",
			"See your account's hosting status",
			"Change your handle",
		}},
		{"atproto identity:* include:app.bsky.authFull?aud=did:web:api.bsky.app%23bsky_appview", []string{
			"Know which account you are (your DID and handle)",
			"Change your handle and take full control of your DID document",
			"Use the permissions of the set app.bsky.authFull with did:web:api.bsky.app#bsky_appview",
		}},
		{"atproto transition:generic transition:chat.bsky transition:email", []string{
			"Know which account you are (your DID and handle)",
			"Create, change and delete any records, upload files and use any service except chat (transition:generic)",
			"Read and send your chat messages",
			"See your email address",
		}},
	}
	for _, tt := range tests {
		if got := MustParse(tt.scope).Describe(); !slices.Equal(got, tt.want) {
			t.Errorf("Describe(%q) =\n%q\nwant\n%q", tt.scope, got, tt.want)
		}
	}
	for _, s := range []Set{LegacySession(), Legacy(true), Legacy(false)} {
		if d := s.Describe(); len(d) != 1 || d[0] == "" {
			t.Errorf("Describe(%s) = %q", s, d)
		}
	}
}

// Every token gets at least one line, so the consent page never hides one.
func TestDescribeCoversTokens(t *testing.T) {
	for _, name := range PresetNames() {
		s, _ := Preset(name)
		if d := s.Describe(); len(d) < len(s.Tokens()) {
			t.Errorf("%s: %d lines for %d tokens", name, len(d), len(s.Tokens()))
		}
	}
}
