package config

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the settings table in docs/configuration.md")

const (
	docPath    = "../../docs/configuration.md"
	tableStart = "<!-- settings table: generated from backend/config; refresh with `go test ./backend/config -run ConfigurationDoc -update` -->\n"
	tableEnd   = "<!-- end of settings table -->\n"
)

// settingsTable renders the Markdown table of every setting.
func settingsTable() string {
	var b strings.Builder
	b.WriteString("| Environment | Flag | File key | Default | Meaning |\n")
	b.WriteString("|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| `%s` | `--%s` | — | none | read settings from this TOML file |\n", envConfig, flagConfig)
	for _, s := range settings {
		fmt.Fprintf(&b, "| `%s` | `--%s` | `%s` | %s | %s |\n", s.env(), s.flag(), s.key, s.def, strings.ReplaceAll(s.usage, "`", ""))
	}
	return b.String()
}

// TestConfigurationDoc keeps docs/configuration.md's table in step with the
// settings table.
func TestConfigurationDoc(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	before, rest, ok1 := strings.Cut(doc, tableStart)
	_, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the table markers", docPath)
	}
	want := before + tableStart + settingsTable() + tableEnd + after
	if doc == want {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's settings table is stale; run go test ./backend/config -run ConfigurationDoc -update. Want:\n%s", docPath, settingsTable())
}

// TestConfigurationDocExample loads the example config file shown in
// docs/configuration.md.
func TestConfigurationDocExample(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```toml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatalf("%s has no toml example", docPath)
	}
	c := mustLoad(t, []string{"--config", writeFile(t, example)})
	if c.PublicURL.String() != "https://pds.example.com" || c.DB.Driver != DriverPostgres || c.BlobLimit != 50<<20 {
		t.Errorf("example not applied:\n%s", c.Redacted())
	}
}
