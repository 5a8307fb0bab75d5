package pluginexamples

import (
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// contentFilters are the content-filter examples of the three SDKs, one
// behaviour: posts with a configured word, whatever its case, refused.
var contentFilters = []struct {
	sdk, id string
	bundle  func(t testing.TB) string
}{
	{"Go", "dev.hearthpds.example.contentfilter", func(t testing.TB) string { return goExample(t, "contentfilter") }},
	{"Rust", "dev.hearthpds.example.contentfilter-rust", func(t testing.TB) string {
		src := plugintest.Path("plugins", "sdk", "rust", "examples", "contentfilter")
		return plugintest.BundleDir(t, src, plugintest.BuildRust(t, src))
	}},
	{"AssemblyScript", "dev.hearthpds.example.contentfilter-as", func(t testing.TB) string {
		src := plugintest.Path("plugins", "sdk", "assemblyscript", "examples", "contentfilter")
		return plugintest.BundleDir(t, src, plugintest.BuildAssemblyScript(t, src))
	}},
}

// TestContentFilters runs each SDK's content filter (plugins/examples/
// contentfilter in Go, and the Rust and AssemblyScript SDKs' examples),
// built from source, installed, enabled and configured through the
// operator's methods on a running server: posts with a banned word,
// whatever its case (non-ASCII too), are refused with a 400
// ContentRejected naming the plugin and leave the repo unchanged, others
// land, other collections are not filtered, and an edited configuration
// applies to the next post.
func TestContentFilters(t *testing.T) {
	for _, f := range contentFilters {
		t.Run(f.sdk, func(t *testing.T) {
			testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
				pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
				id := install(t, pds, f.bundle(t), nil)
				if id != f.id {
					t.Fatalf("installed %q, want %q", id, f.id)
				}
				contentFilterBehaves(t, pds, id)
			})
		})
	}
}

func contentFilterBehaves(t *testing.T, pds *testpds.PDS, id string) {
	alice := pds.Account(t, "alice.test")
	refused, accepted := postChecks(t, alice, id)

	// No words configured yet: the manifest's default is [].
	accepted("spam before configuration")
	configure(t, pds, id, map[string]any{"banned": []string{"Spam", "crypto giveaway", "Été"}})
	accepted("hello world")
	refused("buy SPAM now")
	refused("a Crypto Giveaway, today only")
	refused("un ÉTÉ chaud")
	accepted("crypto, but no giveaway")
	// Only posts are filtered (the manifest's hook names the collection).
	alice.Must("com.atproto.repo.createRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.actor.profile",
		"rkey": "self", "record": map[string]any{"$type": "app.bsky.actor.profile", "displayName": "spam"}})

	configure(t, pds, id, map[string]any{"banned": []string{"eggs"}})
	accepted("spam is fine now")
	refused("green EGGS and ham")

	posts := alice.Must("com.atproto.repo.listRecords", "repo="+alice.DID+"&collection=app.bsky.feed.post", nil)
	if n := len(posts["records"].([]any)); n != 4 {
		t.Fatalf("the repo has %d posts, want the 4 accepted ones", n)
	}
	info := inspect(t, pds, id)
	if info["state"] != "enabled" || info["calls"].(float64) != 8 || info["errors"].(float64) != 0 {
		t.Fatalf("inspect: %v; want enabled, 8 calls (one per post), no errors", info)
	}
}

// postChecks returns assertions that alice's post is refused by plugin id
// with ContentRejected, or accepted.
func postChecks(t *testing.T, alice *testpds.Client, id string) (refused, accepted func(string)) {
	refused = func(text string) {
		t.Helper()
		status, out := alice.Post(text)
		msg, _ := out["message"].(string)
		if status != 400 || out["error"] != "ContentRejected" || !strings.Contains(msg, "(plugin "+id+")") {
			t.Fatalf("post %q: %d %v, want 400 ContentRejected naming the plugin", text, status, out)
		}
	}
	accepted = func(text string) {
		t.Helper()
		if status, out := alice.Post(text); status != 200 {
			t.Fatalf("post %q: %d %v", text, status, out)
		}
	}
	return refused, accepted
}
