package delegation_test

import (
	"os"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/delegation"
)

// TestDocsPresets keeps the presets table of docs/delegation.md in step
// with the presets.
func TestDocsPresets(t *testing.T) {
	b, err := os.ReadFile("../../docs/delegation.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range delegation.Presets() {
		if row := "| " + p.Name + " | `" + p.Scope + "` |"; !strings.Contains(string(b), row) {
			t.Errorf("docs/delegation.md lacks the row %q", row)
		}
	}
}
