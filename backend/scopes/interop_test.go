package scopes

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// readFixture returns the scope lines of a testdata file.
func readFixture(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatalf("%s has no scopes", name)
	}
	return lines
}

func TestInteropValid(t *testing.T) {
	for _, scope := range readFixture(t, "permission_scopes_valid.txt") {
		s, invalid, err := Parse("atproto " + scope)
		if err != nil || len(invalid) != 0 {
			t.Errorf("%q: invalid %v, err %v", scope, invalid, err)
			continue
		}
		if len(s.Tokens()) < 2 {
			t.Errorf("%q parsed to nothing: %q", scope, s)
		}
		again, invalid, err := Parse(s.String())
		if err != nil || len(invalid) != 0 || !again.Equal(s) {
			t.Errorf("%q: canonical %q does not round-trip (%v, %v)", scope, s, invalid, err)
		}
	}
}

// extensions are the scopes of the invalid fixture that Hearth accepts on
// purpose: account:status is defined by the reference implementation.
var extensions = map[string]bool{
	"account:status":               true,
	"account:status?action=manage": true,
}

func TestInteropInvalid(t *testing.T) {
	for _, scope := range readFixture(t, "permission_scopes_invalid.txt") {
		s, invalid, err := Parse("atproto " + scope)
		if err != nil {
			t.Errorf("%q: %v", scope, err)
			continue
		}
		if extensions[scope] {
			if len(invalid) != 0 || s.String() == "atproto" {
				t.Errorf("extension %q refused: %v", scope, invalid)
			}
			continue
		}
		// A line may hold several space-separated tokens ("repo:foo bar");
		// none may yield a permission.
		if len(invalid) == 0 || s.String() != "atproto" {
			t.Errorf("%q accepted as %q", scope, s)
		}
	}
}
