package xrpc_test

import (
	"os"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// TestDocsPermissions keeps the table of docs/oauth.md in step with the
// permission table.
func TestDocsPermissions(t *testing.T) {
	b, err := os.ReadFile("../../docs/oauth.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, nsid := range xrpc.Declared() {
		need, _ := xrpc.NeedOf(nsid)
		if row := "| `" + nsid + "` | " + need.Doc() + " |"; !strings.Contains(string(b), row) {
			t.Errorf("docs/oauth.md lacks the row %q", row)
		}
	}
}
