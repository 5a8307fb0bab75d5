package blobs

import (
	"encoding/hex"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestChooseMime(t *testing.T) {
	png := mustHex(t, "89504e470d0a1a0a0000000d49484452")
	random := []byte{0x00, 0x9f, 0x12, 0xee, 0x01, 0x02, 0x03}
	for _, c := range []struct {
		name, declared string
		head           []byte
		want           string
	}{
		{"sniff beats a generic declaration", "application/octet-stream", png, "image/png"},
		{"sniff beats a wrong declaration", "image/jpeg", png, "image/png"},
		{"html is never taken for an image", "image/png", []byte("<!DOCTYPE html><script>x</script>"), "text/html; charset=utf-8"},
		{"declaration kept when the sniff is binary", "video/webm", random, "video/webm"},
		{"declaration kept when the sniff is text", "application/json", []byte(`{"a":1}`), "application/json"},
		{"declaration normalised", "Application/JSON; Charset=UTF-8", []byte(`{}`), "application/json; charset=UTF-8"},
		{"wildcard declaration ignored", "*/*", random, "application/octet-stream"},
		{"no declaration", "", []byte("plain words"), "text/plain; charset=utf-8"},
		{"malformed declaration", "image/", random, "application/octet-stream"},
		{"empty blob", "image/png", nil, "image/png"},
	} {
		if got := chooseMime(c.declared, c.head); got != c.want {
			t.Errorf("%s: chooseMime(%q) = %q, want %q", c.name, c.declared, got, c.want)
		}
	}
}
