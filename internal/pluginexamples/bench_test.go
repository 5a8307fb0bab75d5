package pluginexamples

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hearthpds/hearth/internal/plugintest"
	"github.com/hearthpds/hearth/internal/testpds"
)

// BenchmarkCreateRecordHooks measures com.atproto.repo.createRecord over
// loopback HTTP on SQLite, one client after another, with 0, 1 and 5
// active before-hooks: a no-op hook and the Go SDK's content filter
// (five banned words). It reports creates per second and the p50/p99
// latency; docs/performance.md derives the per-hook overhead.
func BenchmarkCreateRecordHooks(b *testing.B) {
	for _, c := range []struct {
		name   string
		plugin string // testdata/<name> or plugins/examples/<name>
		n      int
	}{
		{"hooks=0", "", 0},
		{"noop=1", "noop", 1}, {"noop=5", "noop", 5},
		{"contentfilter=1", "contentfilter", 1}, {"contentfilter=5", "contentfilter", 5},
		// The Rust and AssemblyScript content filters with no words: hooks
		// that decode the event, read the text and allow.
		{"rust-noop=1", "Rust", 1}, {"rust-noop=5", "Rust", 5},
		{"as-noop=1", "AssemblyScript", 1}, {"as-noop=5", "AssemblyScript", 5},
	} {
		b.Run(c.name, func(b *testing.B) {
			pds := testpds.Start(b, testpds.Options{})
			for i := 0; i < c.n; i++ {
				installCopy(b, pds, c.plugin, i)
			}
			alice := pds.Account(b, "alice.test")
			text := "a perfectly ordinary post about the weather, long enough to be typical of one"
			for i := 0; i < 50; i++ { // warm caches, instances and the connection
				if status, out := alice.Post(text); status != 200 {
					b.Fatalf("warm-up post: %d %v", status, out)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if status, out := alice.Post(text); status != 200 {
					b.Fatalf("post: %d %v", status, out)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
		})
	}
}

// installCopy installs copy i of a plugin under its own id and enables it;
// the Go content filter gets five banned words. name is a folder of
// testdata or plugins/examples, or an SDK of contentFilters.
func installCopy(b *testing.B, pds *testpds.PDS, name string, i int) {
	b.Helper()
	bundle := ""
	for _, f := range contentFilters {
		if f.sdk == name {
			bundle = f.bundle(b)
		}
	}
	if bundle == "" {
		src := filepath.Join("testdata", name)
		if _, err := os.Stat(src); err != nil {
			src = plugintest.Path("plugins", "examples", name)
		}
		bundle = plugintest.BundleDir(b, src, plugintest.BuildGo(b, src, ""))
	}
	// Its own id: the manifest's with a suffix (the sha256 covers the
	// module only).
	toml := filepath.Join(bundle, "plugin.toml")
	manifest, err := os.ReadFile(toml)
	if err != nil {
		b.Fatal(err)
	}
	renamed := regexp.MustCompile(`(?m)^id = "(.*)"`).ReplaceAllString(string(manifest), fmt.Sprintf(`id = "${1}-%c"`, 'a'+i))
	if err := os.WriteFile(toml, []byte(renamed), 0o600); err != nil {
		b.Fatal(err)
	}
	id := install(b, pds, bundle, nil)
	if name == "contentfilter" {
		configure(b, pds, id, map[string]any{"banned": []string{"spam", "scam", "crypto giveaway", "free money", "click here"}})
	}
}
