package xrpc

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// TestValidatorsMatchIndigo checks the fast validators against indigo's.
func TestValidatorsMatchIndigo(t *testing.T) {
	rkeys := []string{"", ".", "..", "...", "a", "3kabc", "self", "a.b", "a:b", "a~b", "a_b", "a-b", "a b", "a/b", "a%b", "é",
		"a\x00", strings.Repeat("a", 512), strings.Repeat("a", 513), "ÿ", "a\n", "@", "[", "`", "{"}
	for c := 0; c < 256; c++ {
		rkeys = append(rkeys, "k"+string(rune(c)), string([]byte{byte(c)}))
	}
	for _, k := range rkeys {
		_, err := syntax.ParseRecordKey(k)
		if got := validRecordKey(k); got != (err == nil) {
			t.Errorf("validRecordKey(%q) = %v, indigo says %v", k, got, err)
		}
	}
	for _, n := range []string{"app.bsky.feed.post", "com.example.fooBar", "a.b.c", "x", "a.b", "1a.b.c", "a..b", "a.b.c-d", "a.b.", "", "app.bsky.feed.post"} {
		_, err := syntax.ParseNSID(n)
		for range 2 { // the second time from memory
			if got := validNSID(n); got != (err == nil) {
				t.Errorf("validNSID(%q) = %v, indigo says %v", n, got, err)
			}
		}
	}
}

// TestParamMatchesURLValues checks Call.param against url.Values.Get.
func TestParamMatchesURLValues(t *testing.T) {
	queries := []string{
		"", "&&=x", "repo=did:plc:abc&collection=app.bsky.feed.post&rkey=3k", "a=1&a=2", "a", "a=", "=x&a=y", "&&a=1&",
		"a=1;b=2&b=3", "a=%41&b=%zz", "a+b=c&a=d", "a=x+y", "b=1&a=2&a=3", "A=1&a=2",
		strings.Repeat("x=1&", 40) + "a=9",
	}
	for _, q := range queries {
		r := httptest.NewRequest("GET", "/xrpc/x?"+q, nil)
		want := r.URL.Query()
		for _, name := range []string{"a", "b", "A", "x", "repo", "collection", "rkey", "a b", ""} {
			c := &Call{r: r}
			if got := c.param(name); got != want.Get(name) {
				t.Errorf("query %q: param(%q) = %q, url.Values says %q", q, name, got, want.Get(name))
			}
		}
	}
}
