package pluginexamples

import (
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestContentFilter runs plugins/examples/contentfilter on a running
// server: posts with a configured word are refused with a 400 naming the
// plugin and leave the repo unchanged, others land, other collections are
// not filtered, and an edited configuration applies to the next post.
func TestContentFilter(t *testing.T) { testdb.RunURL(t, testContentFilter) }

func testContentFilter(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	id := install(t, pds, goExample(t, "contentfilter"), nil)
	configure(t, pds, id, map[string]any{"banned": []string{"Spam", "scam"}})
	alice := pds.Account(t, "alice.test")

	refused := func(text string) {
		t.Helper()
		status, out := alice.Post(text)
		msg, _ := out["message"].(string)
		if status != 400 || out["error"] != "ContentRejected" || !strings.Contains(msg, "(plugin "+id+")") {
			t.Fatalf("post %q: %d %v, want 400 ContentRejected naming the plugin", text, status, out)
		}
	}
	accepted := func(text string) {
		t.Helper()
		if status, out := alice.Post(text); status != 200 {
			t.Fatalf("post %q: %d %v", text, status, out)
		}
	}
	accepted("hello world")
	refused("buy SPAM now")
	refused("a Scam!")
	// Only posts are filtered (the manifest's hook names the collection).
	alice.Must("com.atproto.repo.createRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.actor.profile",
		"rkey": "self", "record": map[string]any{"$type": "app.bsky.actor.profile", "displayName": "spam"}})

	// Edited words apply at once.
	configure(t, pds, id, map[string]any{"banned": []string{"eggs"}})
	accepted("spam is fine now")
	refused("green eggs")

	posts := alice.Must("com.atproto.repo.listRecords", "repo="+alice.DID+"&collection=app.bsky.feed.post", nil)
	if n := len(posts["records"].([]any)); n != 2 {
		t.Fatalf("the repo has %d posts, want the 2 accepted ones", n)
	}
	info := inspect(t, pds, id)
	if info["state"] != "enabled" || info["calls"].(float64) < 5 {
		t.Fatalf("inspect: %v", info)
	}
}
