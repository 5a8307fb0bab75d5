package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const typedGuestToml = `
id = "dev.test.typed"
name = "Typed"
version = "1.0.0"
api = 1
capabilities = [{ kind = "xrpc:register", nsids = ["dev.test.typed.*"] }]
[hooks]
"xrpc.handle" = {}
`

var typedGuestLexicons = map[string]string{
	"lexicons/dev/test/typed/echo.json": `{"lexicon": 1, "id": "dev.test.typed.echo", "defs": {"main": {
	  "type": "procedure",
	  "input": {"encoding": "application/json", "schema": {"type": "object", "required": ["text"], "properties": {
	    "text": {"type": "string", "maxLength": 10}, "reply": {"type": "unknown"}}}},
	  "output": {"encoding": "application/json", "schema": {"type": "ref", "ref": "dev.test.typed.defs#reply"}}}}}`,
	"lexicons/dev/test/typed/get.json": `{"lexicon": 1, "id": "dev.test.typed.get", "defs": {"main": {
	  "type": "query",
	  "parameters": {"type": "params", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 3}}},
	  "output": {"encoding": "application/json", "schema": {"type": "object", "required": ["n", "caller"], "properties": {
	    "n": {"type": "integer"}, "caller": {"type": "string"}}}}}}}`,
	"lexicons/dev/test/typed/defs.json": `{"lexicon": 1, "id": "dev.test.typed.defs", "defs": {
	  "reply": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}}`,
}

// typedGuestBundle writes the typed guest's plugin folder with lexicons.
func typedGuestBundle(t testing.TB, lexicons map[string]string) string {
	t.Helper()
	dir := guestBundle(t, "typed", typedGuestToml)
	for name, data := range lexicons {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPluginLexiconValidation drives a plugin that bundles lexicons over
// HTTP: the host refuses a wrong HTTP method (405), bad parameters and
// input (400 naming the field) and NSIDs without a lexicon (501) without
// calling the plugin, and an answer the lexicon does not allow is a 502
// PluginFailed naming the plugin, never passed on.
func TestPluginLexiconValidation(t *testing.T) { testdb.RunURL(t, testPluginLexiconValidation) }

func testPluginLexiconValidation(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	h := pds.Server.Plugins()
	admin := pds.AdminClient(t)
	admin.Must("dev.hearthpds.plugin.install", "", map[string]any{"path": typedGuestBundle(t, typedGuestLexicons)})
	admin.Must("dev.hearthpds.plugin.enable", "", map[string]any{"id": "dev.test.typed"})
	alice := pds.Account(t, "alice.test")
	calls := func() int64 {
		info, err := h.Inspect("dev.test.typed")
		if err != nil {
			t.Fatal(err)
		}
		return info.Calls
	}

	refused := func(c *testpds.Client, status int, name, nsid, query string, body any, says string) {
		t.Helper()
		before := calls()
		out := c.Want(status, name, nsid, query, body)
		if msg, _ := out["message"].(string); !strings.Contains(msg, says) {
			t.Fatalf("%s %s: message %q lacks %q", nsid, query, msg, says)
		}
		if after := calls(); after != before {
			t.Fatalf("%s %s reached the plugin (%d → %d calls)", nsid, query, before, after)
		}
	}
	const echo, get = "dev.test.typed.echo", "dev.test.typed.get"
	refused(alice, http.StatusMethodNotAllowed, "InvalidRequest", echo, "", nil, "takes POST requests, not GET")
	refused(alice, http.StatusMethodNotAllowed, "InvalidRequest", get, "n=1", map[string]any{}, "takes GET requests, not POST")
	refused(alice, http.StatusBadRequest, "InvalidRequest", get, "", nil, "dev.test.typed.get parameters: n: required field missing")
	refused(alice, http.StatusBadRequest, "InvalidRequest", get, "n=abc", nil, `n: must be an integer: "abc"`)
	refused(alice, http.StatusBadRequest, "InvalidRequest", get, "n=4", nil, "parameters: n: integer val outside specified range")
	refused(alice, http.StatusBadRequest, "InvalidRequest", echo, "", map[string]any{"reply": map[string]any{}}, "input: text: required field missing")
	refused(alice, http.StatusBadRequest, "InvalidRequest", echo, "", map[string]any{"text": "longer than ten"}, "input: text: ")
	refused(alice, http.StatusBadRequest, "InvalidRequest", echo, "", []byte(`{"text": "hi"}`), "Wrong request encoding")
	refused(alice, http.StatusNotImplemented, "MethodNotImplemented", "dev.test.typed.other", "", nil, "no lexicon")

	// Valid calls reach the plugin; anonymous ones too (auth is the plugin's call).
	if out := alice.Must(get, "n=2", nil); out["n"] != 2.0 || out["caller"] != alice.DID {
		t.Fatalf("get: %v", out)
	}
	if out := pds.Anon(t).Must(get, "n=3", nil); out["caller"] != "" {
		t.Fatalf("anonymous get: %v", out)
	}
	if out := alice.Must(echo, "", map[string]any{"text": "hi", "reply": map[string]any{"text": "fine"}}); out["text"] != "fine" {
		t.Fatalf("echo: %v", out)
	}
	// Answers the lexicon refuses are not passed on.
	for _, reply := range []any{map[string]any{"text": 5}, map[string]any{"other": "x"}, map[string]any{"text": map[string]any{"n": 1}}} {
		before := calls()
		status, raw := alice.DoRaw(echo, "", map[string]any{"text": "hi", "reply": reply})
		if status != http.StatusBadGateway || !strings.Contains(string(raw), `"PluginFailed"`) ||
			!strings.Contains(string(raw), "plugin dev.test.typed answered dev.test.typed.echo") || calls() != before+1 {
			t.Fatalf("reply %v: %d %s", reply, status, raw)
		}
	}
	if info, _ := h.Inspect("dev.test.typed"); info.Errors != 3 || info.State != "enabled" {
		t.Fatalf("after three refused answers: %+v", info)
	}
}

// TestPluginLexiconInstallRefused: the operator's install answers a bundle
// whose lexicon is malformed or outside the registered NSIDs with
// InvalidPlugin naming the file.
func TestPluginLexiconInstallRefused(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	admin := pds.AdminClient(t)
	for file, content := range map[string]string{
		"lexicons/dev/test/typed/echo.json":  `{"lexicon": 1, "id": "dev.test.typed.echo", "defs": {"main": `,
		"lexicons/dev/test/other/thing.json": `{"lexicon": 1, "id": "dev.test.other.thing", "defs": {}}`,
	} {
		lex := map[string]string{}
		for k, v := range typedGuestLexicons {
			lex[k] = v
		}
		lex[file] = content
		out := admin.Want(http.StatusBadRequest, "InvalidPlugin", "dev.hearthpds.plugin.install", "", map[string]any{"path": typedGuestBundle(t, lex)})
		if msg, _ := out["message"].(string); !strings.Contains(msg, file) {
			t.Fatalf("install with a bad %s: message %q does not name it", file, msg)
		}
	}
	if out := admin.Must("dev.hearthpds.plugin.list", "", nil); len(out["plugins"].([]any)) != 0 {
		t.Fatalf("a refused plugin was installed: %v", out)
	}
}
