package lexicon

import (
	"encoding/json"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEmbeddedCopyLoads(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, nsid := range Records() {
		if _, err := cat.Resolve(nsid); err != nil {
			t.Errorf("record %s is indexed but not in the catalog: %v", nsid, err)
		}
	}
	for _, m := range Methods() {
		if _, err := cat.Resolve(m.NSID); err != nil {
			t.Errorf("method %s is indexed but not in the catalog: %v", m.NSID, err)
		}
	}
}

// TestSourceMatchesGoMod fails when indigo was bumped in go.mod without
// regenerating the embedded copy.
func TestSourceMatchesGoMod(t *testing.T) {
	const indigo = "github.com/bluesky-social/indigo "
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), indigo)
		if !ok {
			continue
		}
		want, _, _ := strings.Cut(rest, " ")
		if got := Version(); got != want {
			t.Fatalf("lexicons/SOURCE records indigo %s but go.mod requires %s: run go generate ./backend/lexicon", got, want)
		}
		return
	}
	t.Fatal("go.mod does not require github.com/bluesky-social/indigo")
}

func TestMethods(t *testing.T) {
	methods := Methods()
	if !slices.IsSortedFunc(methods, func(a, b Method) int { return strings.Compare(a.NSID, b.NSID) }) {
		t.Error("Methods() is not sorted by NSID")
	}
	want := map[string]Kind{
		"com.atproto.repo.createRecord":      KindProcedure,
		"com.atproto.repo.getRecord":         KindQuery,
		"com.atproto.sync.subscribeRepos":    KindSubscription,
		"app.bsky.feed.getTimeline":          KindQuery,
		"chat.bsky.convo.sendMessage":        KindProcedure,
		"tools.ozone.moderation.emitEvent":   KindProcedure,
		"com.atproto.server.createSession":   KindProcedure,
		"com.atproto.identity.resolveHandle": KindQuery,
	}
	seen := map[string]Kind{}
	for _, m := range methods {
		seen[m.NSID] = m.Kind
		if m.Kind == KindRecord || !hasMethodAuthority(m.NSID) {
			t.Errorf("Methods() lists %s (%s)", m.NSID, m.Kind)
		}
	}
	for nsid, kind := range want {
		if seen[nsid] != kind {
			t.Errorf("Methods(): %s is %q, want %q", nsid, seen[nsid], kind)
		}
		if m, ok := LookupMethod(nsid); !ok || m.Kind != kind {
			t.Errorf("LookupMethod(%s) = %+v, %v", nsid, m, ok)
		}
	}
	if m, ok := LookupMethod("com.atproto.repo.createRecord"); !ok || m.Description == "" {
		t.Errorf("LookupMethod(createRecord) has no description: %+v", m)
	}
	for _, nsid := range []string{"app.bsky.feed.post", "com.example.nothing", "", "app.bsky.feed.defs"} {
		if m, ok := LookupMethod(nsid); ok {
			t.Errorf("LookupMethod(%q) = %+v, want none", nsid, m)
		}
	}
}

func TestRecords(t *testing.T) {
	recs := Records()
	for _, nsid := range []string{"app.bsky.feed.post", "app.bsky.actor.profile", "app.bsky.graph.follow", "chat.bsky.actor.declaration"} {
		if _, ok := slices.BinarySearch(recs, nsid); !ok {
			t.Errorf("Records() lacks %s", nsid)
		}
	}
	if _, ok := slices.BinarySearch(recs, "com.atproto.repo.createRecord"); ok {
		t.Error("Records() lists a procedure")
	}
}

func TestSchema(t *testing.T) {
	b, ok := Schema("app.bsky.feed.post")
	if !ok {
		t.Fatal("Schema(app.bsky.feed.post) not found")
	}
	var head struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.ID != "app.bsky.feed.post" {
		t.Fatalf("Schema(app.bsky.feed.post) id = %q, %v", head.ID, err)
	}
	if _, ok := Schema("APP.BSKY.feed.post"); !ok {
		t.Error("the authority should match case-insensitively")
	}
	for _, nsid := range []string{"app.bsky.feed.Post", "com.example.nothing", "../../../etc/passwd", "app.bsky.feed", ""} {
		if _, ok := Schema(nsid); ok {
			t.Errorf("Schema(%q) found a file", nsid)
		}
	}
}

// TestLoadCost reports what the lazy index and the full catalog cost. Run it
// alone (go test -run LoadCost -v) for meaningful numbers; it asserts only
// generous ceilings so that a regression of an order of magnitude is caught.
func TestLoadCost(t *testing.T) {
	heap0, rss0 := memNow()
	start := time.Now()
	Methods()
	indexTime := time.Since(start)
	heap1, rss1 := memNow()
	start = time.Now()
	if _, err := Catalog(); err != nil {
		t.Fatal(err)
	}
	catTime := time.Since(start)
	heap2, rss2 := memNow()
	t.Logf("index: %v, live heap +%.1f MiB, RSS +%.1f MiB", indexTime, mib(heap1-heap0), mib(rss1-rss0))
	t.Logf("catalog: %v, live heap +%.1f MiB, RSS +%.1f MiB (RSS now %.1f MiB)", catTime, mib(heap2-heap1), mib(rss2-rss1), mib(rss2))
	if heap2-heap0 > 64<<20 {
		t.Errorf("index + catalog keep %.1f MiB live, want well under 64", mib(heap2-heap0))
	}
}

// memNow returns the live heap after a GC and the process's resident set.
func memNow() (heap, rss int64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			rss = kb << 10
		}
	}
	return int64(ms.HeapAlloc), rss
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
