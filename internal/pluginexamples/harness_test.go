package pluginexamples

import (
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
	"github.com/hearthpds/hearth/internal/testpds"
)

// goExample builds plugins/examples/<name> with the Go SDK and returns a
// plugin folder ready to install (its plugin.toml with the module's sha256,
// lexicons and README).
func goExample(t testing.TB, name string) string {
	t.Helper()
	src := plugintest.Path("plugins", "examples", name)
	return plugintest.BundleDir(t, src, plugintest.BuildGo(t, src, ""))
}

// install installs the plugin folder on the running server and enables it
// with grant (nil: everything its manifest declares), as the operator does
// with `hearth plugin install` and `hearth plugin enable`; it returns the
// plugin's id.
func install(t testing.TB, pds *testpds.PDS, bundle string, grant []map[string]any) string {
	t.Helper()
	admin := pds.AdminClient(t)
	out := admin.Must("dev.hearthpds.plugin.install", "", map[string]any{"path": bundle})
	manifest, _ := out["manifest"].(map[string]any)
	id, _ := manifest["id"].(string)
	if id == "" {
		t.Fatalf("install answered no id: %v", out)
	}
	body := map[string]any{"id": id}
	if grant != nil {
		body["grant"] = grant
	}
	admin.Must("dev.hearthpds.plugin.enable", "", body)
	return id
}

// configure sets the plugin's configuration values through the operator's
// dev.hearthpds.plugin.configure.
func configure(t testing.TB, pds *testpds.PDS, id string, values map[string]any) {
	t.Helper()
	pds.AdminClient(t).Must("dev.hearthpds.plugin.configure", "", map[string]any{"id": id, "config": values})
}

// inspect returns the plugin's dev.hearthpds.plugin.inspect answer.
func inspect(t testing.TB, pds *testpds.PDS, id string) map[string]any {
	t.Helper()
	return pds.AdminClient(t).Must("dev.hearthpds.plugin.inspect", "id="+id, nil)
}
