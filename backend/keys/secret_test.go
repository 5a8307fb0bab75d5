package keys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"testing"
)

// leakPatterns match what fmt prints for a byte slice or array: a run of
// decimal numbers ([171 171 …]), a long hex string (%x), or Go syntax
// (0xab, 0xab, …).
var leakPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(\d{1,3}[ ,]+){8}`),
	regexp.MustCompile(`[0-9a-fA-F]{24}`),
	regexp.MustCompile(`(0x[0-9a-fA-F]{1,2}, ){8}`),
}

// assertPrintsNoSecret formats v with every common verb and fails if the
// output looks like it contains key bytes.
func assertPrintsNoSecret(t *testing.T, v any) {
	t.Helper()
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out := fmt.Sprintf(format, v)
		for _, re := range leakPatterns {
			if m := re.FindString(out); m != "" {
				t.Fatalf("%s of %T looks like key material (%q): %s", format, v, m, out)
			}
		}
	}
}

func TestSecretRedacted(t *testing.T) {
	s := NewSecret(bytes.Repeat([]byte{0xAB}, 32))
	type hidden struct{ s Secret }
	type shown struct{ S Secret }
	for _, v := range []any{s, &s, hidden{s}, &hidden{s}, shown{s}, []Secret{s}, map[string]Secret{"k": s}} {
		assertPrintsNoSecret(t, v)
	}
	if got := fmt.Sprintf("%v|%s|%x|%#v", s, s, s, s); got != "[redacted]|[redacted]|[redacted]|[redacted]" {
		t.Fatalf("formatted as %q", got)
	}
	j, err := json.Marshal(shown{s})
	if err != nil {
		t.Fatal(err)
	}
	if string(j) != `{"S":"[redacted]"}` {
		t.Fatalf("JSON = %s", j)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", s)
	if !bytes.Contains(buf.Bytes(), []byte("key=[redacted]")) {
		t.Fatalf("slog output: %s", buf.String())
	}
}

func TestSecretBytesIsACopy(t *testing.T) {
	in := []byte{1, 2, 3}
	s := NewSecret(in)
	in[0] = 9
	b := s.Bytes()
	if !bytes.Equal(b, []byte{1, 2, 3}) {
		t.Fatal("NewSecret did not copy its input")
	}
	b[1] = 9
	if !bytes.Equal(s.Bytes(), []byte{1, 2, 3}) || s.Len() != 3 {
		t.Fatal("Bytes exposed the stored slice")
	}
	var zero Secret
	if zero.Bytes() != nil || zero.Len() != 0 || zero.String() != "[redacted]" {
		t.Fatal("zero Secret misbehaves")
	}
}
