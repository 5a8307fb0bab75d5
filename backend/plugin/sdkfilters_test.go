package plugin

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
)

// sdkFilter is one SDK's content-filter example: the same behaviour
// (banned words, case-insensitive, in app.bsky.feed.post creates) built
// with the Go, Rust and AssemblyScript SDKs.
type sdkFilter struct {
	name, id string
	src      []string // below the repository root
	build    func(t testing.TB, src string) []byte
}

var sdkFilters = []sdkFilter{
	{"Go", "dev.hearthpds.example.contentfilter", []string{"plugins", "examples", "contentfilter"},
		func(t testing.TB, src string) []byte { return buildGuest(t, src, "") }},
	{"Rust", "dev.hearthpds.example.contentfilter-rust", []string{"plugins", "sdk", "rust", "examples", "contentfilter"},
		plugintest.BuildRust},
	{"AS", "dev.hearthpds.example.contentfilter-as", []string{"plugins", "sdk", "assemblyscript", "examples", "contentfilter"},
		func(t testing.TB, src string) []byte { return plugintest.BuildAssemblyScript(t, src) }},
}

// install builds the example from source and installs it with banned words.
func (f sdkFilter) install(t testing.TB, h *Host, banned ...any) {
	t.Helper()
	src := filepath.Join(repoRoot(t), filepath.Join(f.src...))
	installFilter(t, h, src, f.build(t, src), "", banned...)
}

// TestSDKContentFilterExamples drives each SDK's example through the host:
// banned words refused whatever their case (non-ASCII too), other posts
// and collections allowed, and a new configuration read by the fresh
// instance the host starts after Configure.
func TestSDKContentFilterExamples(t *testing.T) {
	for _, f := range sdkFilters {
		t.Run(f.name, func(t *testing.T) {
			h := newHost(t, Options{})
			f.install(t, h, "spam", "Scam")
			ev := RecordEvent{Op: OpCreate, Repo: "did:plc:alice", Collection: "app.bsky.feed.post", RKey: "3k"}
			check := func(text string, rejected bool) {
				t.Helper()
				ev.Record = post(text)
				d, err := h.BeforeRecord(context.Background(), ev)
				if err != nil {
					t.Fatal(err)
				}
				if (d.Verdict == Reject) != rejected ||
					rejected && (d.Error != "ContentRejected" || d.Plugin != f.id || d.Message == "") {
					t.Fatalf("%q: decision %+v", text, d)
				}
			}
			check("hello world", false)
			check("buy SPAM now", true)
			check("a scam", true)
			check("", false)
			check("sp am, not quite", false)
			ev.Collection = "app.bsky.feed.like"
			check("spam", false)
			ev.Collection = "app.bsky.feed.post"

			if err := h.Configure(context.Background(), f.id, map[string]any{"banned": []any{"Ünïcode", "eggs"}}); err != nil {
				t.Fatal(err)
			}
			check("spam is fine now", false)
			check("green EGGS", true)
			check("ÜNÏCODE shouting", true)
			check("a café with ünïcode", true)
			if info, err := h.Inspect(f.id); err != nil || info.Errors != 0 {
				t.Fatalf("inspect: %+v %v", info, err)
			}
		})
	}
}

// BenchmarkBeforeRecordSDK measures each SDK's example as a no-op (no
// banned words: it decodes the event, reads the text, allows) and as a
// filter with five banned words.
func BenchmarkBeforeRecordSDK(b *testing.B) {
	for _, f := range sdkFilters {
		b.Run(f.name+"/noop", func(b *testing.B) {
			h := newHost(b, Options{})
			f.install(b, h)
			benchBefore(b, h, "app.bsky.feed.post")
		})
		b.Run(f.name+"/filter", func(b *testing.B) {
			h := newHost(b, Options{})
			f.install(b, h, "spam", "scam", "crypto giveaway", "free money", "click here")
			benchBefore(b, h, "app.bsky.feed.post")
		})
	}
}
