package plugin

import (
	"errors"
	"strings"
	"testing"
)

const goodManifest = `
id = "dev.example.contentfilter"
name = "Content filter"
version = "0.3.1"
api = 1
wasm = "plugin.wasm"
sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
capabilities = [
  { kind = "http:fetch", hosts = ["hooks.example.com", "*.example.org"], methods = ["POST"] },
  { kind = "record:read", collections = ["app.bsky.*"] },
  { kind = "kv:read" }, { kind = "kv:write" },
  { kind = "blob:read" },
  { kind = "xrpc:register", nsids = ["dev.example.contentfilter.*"] },
  { kind = "firehose:subscribe" },
  { kind = "repo:export" },
]
[hooks]
"record.before_create" = { collections = ["app.bsky.feed.post"], priority = 100 }
[limits]
memory_mib = 64
before_timeout_ms = 250
after_timeout_ms = 2000
on_error = "reject"
[config]
banned = { type = "string[]", default = [] }
`

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest([]byte(goodManifest))
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "dev.example.contentfilter" || len(m.Capabilities) != 8 || m.Hooks["record.before_create"].Priority != 100 ||
		m.Limits.KVQuotaKiB != DefaultKVQuotaKiB {
		t.Fatalf("manifest = %+v", m)
	}
}

func TestManifestErrorsNameTheField(t *testing.T) {
	cases := []struct{ from, to, field string }{
		{`id = "dev.example.contentfilter"`, `id = "Not An ID"`, "id"},
		{`name = "Content filter"`, `name = ""`, "name"},
		{`version = "0.3.1"`, `version = "1.0"`, "version"},
		{`api = 1`, `api = 2`, "api"},
		{`wasm = "plugin.wasm"`, `wasm = "../x.wasm"`, "wasm"},
		{`sha256 = "0123`, `sha256 = "X123`, "sha256"},
		{`{ kind = "blob:read" },`, `{ kind = "blob:write" },`, "capabilities[4].kind"},
		{`{ kind = "kv:write" },`, `{ kind = "kv:read" },`, "capabilities[3].kind"},
		{`hosts = ["hooks.example.com", "*.example.org"]`, `hosts = ["http://x/"]`, "capabilities[0].hosts[0]"},
		{`methods = ["POST"]`, `methods = ["post"]`, "capabilities[0].methods[0]"},
		{`collections = ["app.bsky.*"]`, `collections = []`, "capabilities[1].collections"},
		{`nsids = ["dev.example.contentfilter.*"]`, `nsids = ["com.atproto.repo.createRecord"]`, "capabilities[5].nsids[0]"},
		{`nsids = ["dev.example.contentfilter.*"]`, `nsids = ["app.bsky.*"]`, "capabilities[5].nsids[0]"},
		{`nsids = ["dev.example.contentfilter.*"]`, `nsids = ["chat.*"]`, "capabilities[5].nsids[0]"},
		{`"record.before_create" =`, `"record.before_eat" =`, "hooks.record.before_eat"},
		{`collections = ["app.bsky.feed.post"]`, `collections = ["not a glob"]`, "hooks.record.before_create.collections[0]"},
		{`memory_mib = 64`, `memory_mib = 4096`, "limits.memory_mib"},
		{`before_timeout_ms = 250`, `before_timeout_ms = -1`, "limits.before_timeout_ms"},
		{`on_error = "reject"`, `on_error = "ignore"`, "limits.on_error"},
		{`banned = { type = "string[]", default = [] }`, `banned = { type = "string[]", default = [1] }`, "config.banned.default"},
		{`banned = { type = "string[]", default = [] }`, `banned = { type = "map" }`, "config.banned.type"},
		{`api = 1`, "api = 1\ncolour = \"red\"", "colour"},
		{`api = 1`, `api = "one"`, "api"},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			src := strings.Replace(goodManifest, c.from, c.to, 1)
			if src == goodManifest {
				t.Fatalf("case does not apply: %q", c.from)
			}
			_, err := ParseManifest([]byte(src))
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrManifest) {
				t.Fatalf("err = %v; want a FieldError", err)
			}
			if fe.Field != c.field {
				t.Fatalf("field = %q (%v); want %q", fe.Field, err, c.field)
			}
		})
	}
}

func TestHookNeedsCapability(t *testing.T) {
	src := strings.Replace(goodManifest, `{ kind = "firehose:subscribe" },`, "", 1) + ""
	src = strings.Replace(src, "[hooks]\n", "[hooks]\n\"firehose.on_commit\" = {}\n", 1)
	_, err := ParseManifest([]byte(src))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "hooks.firehose.on_commit" {
		t.Fatalf("err = %v", err)
	}
}

func TestIntersect(t *testing.T) {
	m, _ := ParseManifest([]byte(goodManifest))
	got := Intersect(m.Capabilities, []Capability{
		{Kind: CapHTTPFetch, Hosts: []string{"a.example.org", "evil.com"}},
		{Kind: CapRecordRead},
		{Kind: "kv:admin"},
		{Kind: CapXRPCRegister, NSIDs: []string{"com.atproto.x"}},
	})
	if len(got) != 2 || got[0].Hosts[0] != "a.example.org" || len(got[0].Hosts) != 1 || got[0].Methods[0] != "POST" ||
		got[1].Collections[0] != "app.bsky.*" {
		t.Fatalf("Intersect = %+v", got)
	}
}

func TestGlobs(t *testing.T) {
	for _, c := range []struct {
		p, n string
		want bool
	}{{"app.bsky.*", "app.bsky.feed.post", true}, {"app.bsky.*", "app.bskyx.a", false}, {"*", "x.y", true},
		{"app.bsky.feed.post", "app.bsky.feed.post", true}, {"app.bsky.feed.post", "app.bsky.feed.posts", false}} {
		if globMatch(c.p, c.n) != c.want {
			t.Errorf("globMatch(%q, %q) != %v", c.p, c.n, c.want)
		}
	}
	if !globsOverlap("dev.a.*", "dev.a.b.*") || globsOverlap("dev.a.*", "dev.b.*") || !globsOverlap("dev.*", "dev.x.y") {
		t.Error("globsOverlap")
	}
}
