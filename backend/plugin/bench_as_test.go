package plugin

import (
	"context"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
)

const asFilterID = "dev.hearthpds.example.contentfilter-as"

// asFilter installs the AssemblyScript SDK's content filter example, built
// from source with the SDK's pinned asc, with banned words.
func asFilter(t testing.TB, h *Host, banned ...any) {
	t.Helper()
	src := plugintest.Path("plugins", "sdk", "assemblyscript", "examples", "contentfilter")
	installFilter(t, h, src, plugintest.BuildAssemblyScript(t, src), "", banned...)
}

// TestAssemblyScriptContentFilterExample drives the AssemblyScript example
// through the host: banned words refused whatever their case (non-ASCII
// too), other posts and collections allowed, and a new configuration read
// by the fresh instance the host starts after Configure.
func TestAssemblyScriptContentFilterExample(t *testing.T) {
	h := newHost(t, Options{})
	asFilter(t, h, "spam", "Scam")
	ev := RecordEvent{Op: OpCreate, Repo: "did:plc:alice", Collection: "app.bsky.feed.post", RKey: "3k"}
	check := func(text string, rejected bool) {
		t.Helper()
		ev.Record = post(text)
		d, err := h.BeforeRecord(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if (d.Verdict == Reject) != rejected {
			t.Fatalf("%q: decision %+v", text, d)
		}
		if rejected && (d.Error != "ContentRejected" || d.Plugin != asFilterID || d.Message == "") {
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

	if err := h.Configure(context.Background(), asFilterID, map[string]any{"banned": []any{"Ünïcode", "eggs"}}); err != nil {
		t.Fatal(err)
	}
	check("spam is fine now", false)
	check("green EGGS", true)
	check("ÜNÏCODE shouting", true)
	check("a café with ünïcode", true)
	if info, err := h.Inspect(asFilterID); err != nil || info.Errors != 0 {
		t.Fatalf("inspect: %+v %v", info, err)
	}
}

// BenchmarkBeforeRecordASNoop: the AssemblyScript example with no banned
// words (decodes the event, reads its configuration, allows).
func BenchmarkBeforeRecordASNoop(b *testing.B) {
	h := newHost(b, Options{})
	asFilter(b, h)
	benchBefore(b, h, "app.bsky.feed.post")
}

// BenchmarkBeforeRecordASContentFilter: the AssemblyScript SDK example with
// five banned words, as BenchmarkBeforeRecordContentFilter does for Go.
func BenchmarkBeforeRecordASContentFilter(b *testing.B) {
	h := newHost(b, Options{})
	asFilter(b, h, "spam", "scam", "crypto giveaway", "free money", "click here")
	benchBefore(b, h, "app.bsky.feed.post")
}
