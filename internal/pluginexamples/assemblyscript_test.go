package pluginexamples

import (
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// asExample builds plugins/sdk/assemblyscript/examples/<name> with the
// SDK's pinned asc (hearth-asc) and returns a plugin folder ready to
// install.
func asExample(t testing.TB, name string) string {
	t.Helper()
	src := plugintest.Path("plugins", "sdk", "assemblyscript", "examples", name)
	return plugintest.BundleDir(t, src, plugintest.BuildAssemblyScript(t, src))
}

// TestAssemblyScriptContentFilter runs the AssemblyScript SDK's example on
// a running server: the behaviour of the Go example (TestContentFilter)
// from a module compiled by asc with the SDK's transform, installed,
// enabled and configured through the operator's methods: posts with a
// banned word, whatever its case (non-ASCII too), are refused with a 400
// ContentRejected naming the plugin and leave the repo unchanged, others
// land, other collections are not filtered, and a new configuration
// applies to the next post.
func TestAssemblyScriptContentFilter(t *testing.T) { testdb.RunURL(t, testAssemblyScriptContentFilter) }

func testAssemblyScriptContentFilter(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	id := install(t, pds, asExample(t, "contentfilter"), nil)
	if id != "dev.hearthpds.example.contentfilter-as" {
		t.Fatalf("installed %q", id)
	}
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
