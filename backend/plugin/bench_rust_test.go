package plugin

import (
	"context"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
)

const rustFilterID = "dev.hearthpds.example.contentfilter-rust"

// rustFilter installs the Rust SDK's content filter example, built from
// source with Debian's rustc, with banned words.
func rustFilter(t testing.TB, h *Host, banned ...any) {
	t.Helper()
	src := plugintest.Path("plugins", "sdk", "rust", "examples", "contentfilter")
	installFilter(t, h, src, plugintest.BuildRust(t, src), "", banned...)
}

// TestRustContentFilterExample drives the Rust example through the host:
// banned words refused whatever their case, other posts and collections
// allowed, and a new configuration read by the fresh instance the host
// starts after Configure.
func TestRustContentFilterExample(t *testing.T) {
	h := newHost(t, Options{})
	rustFilter(t, h, "spam", "Scam")
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
		if rejected && (d.Error != "ContentRejected" || d.Plugin != rustFilterID || d.Message == "") {
			t.Fatalf("%q: decision %+v", text, d)
		}
	}
	check("hello world", false)
	check("buy SPAM now", true)
	check("a scam", true)
	check("", false)
	ev.Collection = "app.bsky.feed.like"
	check("spam", false)
	ev.Collection = "app.bsky.feed.post"

	if err := h.Configure(context.Background(), rustFilterID, map[string]any{"banned": []any{"Ünïcode", "eggs"}}); err != nil {
		t.Fatal(err)
	}
	check("spam is fine now", false)
	check("green EGGS", true)
	check("ünÏcode", true)
	if info, err := h.Inspect(rustFilterID); err != nil || info.Errors != 0 {
		t.Fatalf("inspect: %+v %v", info, err)
	}
}

// BenchmarkBeforeRecordRustNoop: the Rust example with no banned words
// (decodes the event, reads the text field, allows).
func BenchmarkBeforeRecordRustNoop(b *testing.B) {
	h := newHost(b, Options{})
	rustFilter(b, h)
	benchBefore(b, h, "app.bsky.feed.post")
}

// BenchmarkBeforeRecordRustContentFilter: the Rust SDK example with five
// banned words, as BenchmarkBeforeRecordContentFilter does for Go.
func BenchmarkBeforeRecordRustContentFilter(b *testing.B) {
	h := newHost(b, Options{})
	rustFilter(b, h, "spam", "scam", "crypto giveaway", "free money", "click here")
	benchBefore(b, h, "app.bsky.feed.post")
}
