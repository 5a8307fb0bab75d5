package plugin

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// contentFilter installs the Go SDK's example plugin with banned words.
func contentFilter(t testing.TB, h *Host, banned ...any) {
	t.Helper()
	contentFilterAs(t, h, "", banned...)
}

// contentFilterAs installs it under another id ("" keeps its own).
func contentFilterAs(t testing.TB, h *Host, id string, banned ...any) {
	t.Helper()
	src := filepath.Join(repoRoot(t), "plugins", "examples", "contentfilter")
	installFilter(t, h, src, buildGuest(t, src, ""), id, banned...)
}

// installFilter installs wasm with the plugin.toml of the example in src
// (under id unless ""), configures its banned words and enables it.
func installFilter(t testing.TB, h *Host, src string, wasm []byte, id string, banned ...any) {
	t.Helper()
	toml, err := os.ReadFile(filepath.Join(src, "plugin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?m)^sha256 = .*$`).ReplaceAllString(string(toml), "")
	if id != "" {
		body = regexp.MustCompile(`(?m)^id = .*$`).ReplaceAllString(body, "id = \""+id+"\"")
	}
	ctx := context.Background()
	m, err := h.Install(ctx, writeBundle(t, wasm, body))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Configure(ctx, m.ID, map[string]any{"banned": banned}); err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		t.Fatal(err)
	}
}

func post(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T04:00:00.000Z",
		"langs": []any{"en"}}
}

// benchBefore measures BeforeRecord on a typical post and reports the p50.
func benchBefore(b *testing.B, h *Host, collection string) {
	ctx := context.Background()
	ev := RecordEvent{Op: OpCreate, Repo: "did:plc:alice", Collection: collection, RKey: "3kabcdefgh2x",
		Record: post(strings.Repeat("a perfectly ordinary post about the weather ", 6))}
	if d, err := h.BeforeRecord(ctx, ev); err != nil || d.Verdict != Continue {
		b.Fatalf("warm-up: %+v %v", d, err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := h.BeforeRecord(ctx, ev); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}

// BenchmarkBeforeRecordNone is the baseline: no plugin declares the hook.
func BenchmarkBeforeRecordNone(b *testing.B) {
	benchBefore(b, newHost(b, Options{}), "app.bsky.feed.post")
}

// BenchmarkBeforeRecordNoop: one Go SDK hook that decodes the event and allows.
func BenchmarkBeforeRecordNoop(b *testing.B) {
	h := newHost(b, Options{})
	installKitchen(b, h, kitchenToml, nil)
	benchBefore(b, h, "app.bsky.feed.post")
}

// BenchmarkBeforeRecordContentFilter: the Go SDK example reading the
// record's text through the SDK and scanning it for banned words.
func BenchmarkBeforeRecordContentFilter(b *testing.B) {
	h := newHost(b, Options{})
	contentFilter(b, h, "spam", "scam", "crypto giveaway", "free money", "click here")
	benchBefore(b, h, "app.bsky.feed.post")
}

// BenchmarkBeforeRecordFiveFilters: five content-filter plugins in a chain.
func BenchmarkBeforeRecordFiveFilters(b *testing.B) {
	h := newHost(b, Options{})
	for i := range 5 {
		contentFilterAs(b, h, "dev.hearthpds.example.filter"+string(rune('a'+i)), "spam", "scam", "crypto giveaway", "free money", "click here")
	}
	benchBefore(b, h, "app.bsky.feed.post")
}
