package plugin

import (
	"archive/zip"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// typedToml declares the kitchen guest (whose xrpc.handle answers
// {"nsid", "params", "body"}) as the server of dev.test.typed.*, with the
// capabilities its imports need.
const typedToml = `
id = "dev.test.typed"
name = "Typed"
version = "1.0.0"
api = 1
capabilities = [
  { kind = "xrpc:register", nsids = ["dev.test.typed.*"] },
  { kind = "http:fetch", hosts = ["127.0.0.1"] },
  { kind = "record:read", collections = ["app.bsky.*"] },
  { kind = "kv:read" }, { kind = "kv:write" }, { kind = "blob:read" },
  { kind = "repo:export" }, { kind = "firehose:subscribe" },
]
[hooks]
"xrpc.handle" = {}
`

// typedLexicons are the bundle files of typedToml: an echo query with
// typed parameters, a procedure with a JSON input, two methods whose
// output the guest's answer cannot satisfy (a missing field; a JSON body
// echoed into a JSON string unescaped), and shared definitions.
var typedLexicons = map[string]string{
	"lexicons/dev/test/typed/echo.json": `{"lexicon": 1, "id": "dev.test.typed.echo", "defs": {"main": {
	  "type": "query",
	  "parameters": {"type": "params", "required": ["q"], "properties": {
	    "q": {"type": "string", "maxLength": 10},
	    "n": {"type": "integer", "minimum": 1, "maximum": 5},
	    "flag": {"type": "boolean"},
	    "tag": {"type": "array", "items": {"type": "string"}, "maxLength": 2}}},
	  "output": {"encoding": "application/json", "schema": {"type": "ref", "ref": "dev.test.typed.defs#echo"}}}}}`,
	"lexicons/dev/test/typed/put.json": `{"lexicon": 1, "id": "dev.test.typed.put", "defs": {"main": {
	  "type": "procedure",
	  "input": {"encoding": "application/json", "schema": {"type": "object", "required": ["text"], "properties": {
	    "text": {"type": "string", "maxLength": 8}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}}}}},
	  "output": {"encoding": "application/json"}}}}`,
	"lexicons/dev/test/typed/mangle.json": `{"lexicon": 1, "id": "dev.test.typed.mangle", "defs": {"main": {
	  "type": "procedure", "input": {"encoding": "*/*"},
	  "output": {"encoding": "application/json", "schema": {"type": "ref", "ref": "dev.test.typed.defs#echo"}}}}}`,
	"lexicons/dev/test/typed/strict.json": `{"lexicon": 1, "id": "dev.test.typed.strict", "defs": {"main": {
	  "type": "query",
	  "output": {"encoding": "application/json", "schema": {"type": "object", "required": ["missing"], "properties": {
	    "missing": {"type": "string"}}}}}}}`,
	"lexicons/dev/test/typed/defs.json": `{"lexicon": 1, "id": "dev.test.typed.defs", "defs": {
	  "echo": {"type": "object", "required": ["nsid", "params", "body"], "properties": {
	    "nsid": {"type": "string", "format": "nsid"}, "params": {"type": "string"}, "body": {"type": "string"}}}}}`,
}

// typedBundle writes the kitchen guest with manifest and lexicon files.
func typedBundle(t testing.TB, manifest string, files map[string]string) string {
	t.Helper()
	dir := writeBundle(t, kitchenWasm(t), manifest)
	for name, data := range files {
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

func withFiles(base map[string]string, change map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range change {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// TestLexiconsRefusedAtInstall: every bundle whose lexicons break a rule is
// refused with ErrLexicon, naming the file, and nothing is installed.
func TestLexiconsRefusedAtInstall(t *testing.T) {
	const echo = "lexicons/dev/test/typed/echo.json"
	cases := []struct {
		name, manifest, file, want string
		files                      map[string]string
	}{
		{"malformed JSON", typedToml, echo, "not a lexicon schema",
			map[string]string{echo: `{"lexicon": 1, "id": "dev.test.typed.echo", "defs": {`}},
		{"bad definition", typedToml, echo, "max < min",
			map[string]string{echo: `{"lexicon": 1, "id": "dev.test.typed.echo", "defs": {"main": {"type": "query",
			  "parameters": {"type": "params", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}}}}}}`}},
		{"lexicon version", typedToml, echo, "unsupported lexicon language version",
			map[string]string{echo: `{"lexicon": 2, "id": "dev.test.typed.echo", "defs": {}}`}},
		{"id off its path", typedToml, "lexicons/dev/test/typed/other.json", "belongs in lexicons/dev/test/typed/moved.json",
			map[string]string{"lexicons/dev/test/typed/other.json": `{"lexicon": 1, "id": "dev.test.typed.moved", "defs": {}}`}},
		{"outside the registered NSIDs", typedToml, "lexicons/dev/elsewhere/thing.json", "outside the NSIDs the plugin registers (dev.test.typed.*)",
			map[string]string{"lexicons/dev/elsewhere/thing.json": `{"lexicon": 1, "id": "dev.elsewhere.thing", "defs": {"main": {"type": "query"}}}`}},
		{"no xrpc:register", "id = \"dev.test.typed\"\nname = \"Typed\"\nversion = \"1.0.0\"\napi = 1\n",
			"lexicons/dev/test/typed/defs.json", "must declare the xrpc:register", nil},
		{"unresolved reference", typedToml, "lexicons/dev/test/typed/defs.json", "refers to dev.test.typed.defs#nowhere",
			map[string]string{"lexicons/dev/test/typed/defs.json": `{"lexicon": 1, "id": "dev.test.typed.defs", "defs": {
			  "echo": {"type": "object", "properties": {"x": {"type": "ref", "ref": "#nowhere"}}}}}`}},
		{"subscription", typedToml, "lexicons/dev/test/typed/stream.json", "subscription",
			map[string]string{"lexicons/dev/test/typed/stream.json": `{"lexicon": 1, "id": "dev.test.typed.stream", "defs": {"main": {
			  "type": "subscription", "message": {"schema": {"type": "union", "refs": []}}}}}`}},
		{"registered NSID without a lexicon", strings.Replace(typedToml, `nsids = ["dev.test.typed.*"]`,
			`nsids = ["dev.test.typed.echo", "dev.test.typed.gone", "dev.test.typed.put", "dev.test.typed.mangle", "dev.test.typed.strict", "dev.test.typed.defs"]`, 1),
			"lexicons/dev/test/typed/gone.json", "no query or procedure lexicon", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHost(t, Options{})
			_, err := h.Install(context.Background(), typedBundle(t, c.manifest, withFiles(typedLexicons, c.files)))
			if !errors.Is(err, ErrLexicon) || !strings.Contains(err.Error(), c.file+": ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Install = %v; want ErrLexicon naming %s and saying %q", err, c.file, c.want)
			}
			if len(h.List()) != 0 {
				t.Fatal("a refused plugin was installed")
			}
		})
	}
}

// TestLexiconsKeptAcrossRestartAndZip: the lexicons are stored with the
// installed bundle (a new host over the same directory still serves typed
// calls), are read from a .zip too, and a reload without them makes the
// plugin untyped.
func TestLexiconsKeptAcrossRestartAndZip(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	h := newHost(t, Options{Dir: dir})
	m, err := h.Install(ctx, zipFolder(t, typedBundle(t, typedToml, typedLexicons)))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"dev.test.typed.echo", "dev.test.typed.mangle", "dev.test.typed.put", "dev.test.typed.strict"}
	if got := h.plugins[m.ID].lexicons().Methods(); !slices.Equal(got, want) {
		t.Fatalf("methods = %v, want %v", got, want)
	}
	h.Close(ctx)

	h2 := newHost(t, Options{Dir: dir})
	wantCallError(t, h2, http.StatusNotImplemented, "MethodNotImplemented", XRPCRequest{NSID: "dev.test.typed.other", Method: "GET"}, "")
	if _, _, err := h2.CallXRPC(ctx, XRPCRequest{NSID: "dev.test.typed.echo", Method: "GET", Params: url.Values{"q": {"hi"}}}, ""); err != nil {
		t.Fatalf("typed call after restart: %v", err)
	}

	if err := h2.Reload(ctx, m.ID, typedBundle(t, typedToml, nil)); err != nil {
		t.Fatal(err)
	}
	resp, ok, err := h2.CallXRPC(ctx, XRPCRequest{NSID: "dev.test.typed.other", Method: "PUT"}, "")
	if !ok || err != nil || resp.Status != 200 {
		t.Fatalf("untyped call after a reload without lexicons: %+v %v %v", resp, ok, err)
	}
}

// zipFolder packs a bundle folder into a .zip.
func zipFolder(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bundle.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCallError(t testing.TB, h *Host, status int, name string, req XRPCRequest, encoding string, says ...string) {
	t.Helper()
	_, ok, err := h.CallXRPC(context.Background(), req, encoding)
	var ce *CallError
	if !ok || !errors.As(err, &ce) || ce.Status != status || ce.Name != name {
		t.Fatalf("CallXRPC(%s %s %v) = %v, %v; want %d %s", req.Method, req.NSID, req.Params, ok, err, status, name)
	}
	for _, s := range says {
		if !strings.Contains(ce.Message, s) {
			t.Fatalf("CallXRPC(%s %s %v): message %q lacks %q", req.Method, req.NSID, req.Params, ce.Message, s)
		}
	}
}

// TestCallXRPCValidates: requests the lexicon refuses never reach the
// plugin (its call count does not move) and name the field; an answer the
// lexicon refuses is a 502 naming the plugin, recorded among its errors.
func TestCallXRPCValidates(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	m, err := h.Install(ctx, typedBundle(t, typedToml, typedLexicons))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		t.Fatal(err)
	}
	const js = "application/json"
	get := func(nsid string, q url.Values) XRPCRequest { return XRPCRequest{NSID: nsid, Method: "GET", Params: q} }
	post := func(body string) XRPCRequest {
		return XRPCRequest{NSID: "dev.test.typed.put", Method: "POST", Body: []byte(body)}
	}
	bad := http.StatusBadRequest
	wantCallError(t, h, http.StatusMethodNotAllowed, "InvalidRequest", XRPCRequest{NSID: "dev.test.typed.echo", Method: "POST"}, js, "takes GET")
	wantCallError(t, h, http.StatusMethodNotAllowed, "InvalidRequest", get("dev.test.typed.put", nil), "", "takes POST")
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", nil), "", "q: required field missing")
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", url.Values{"q": {"far too long here"}}), "", "parameters: q: ")
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", url.Values{"q": {"x"}, "n": {"abc"}}), "", `n: must be an integer: "abc"`)
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", url.Values{"q": {"x"}, "n": {"0"}}), "", "parameters: n: ")
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", url.Values{"q": {"x"}, "flag": {"yes"}}), "", "flag: must be true or false")
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", url.Values{"q": {"x", "y"}}), "", "q: given 2 times")
	wantCallError(t, h, bad, "InvalidRequest", get("dev.test.typed.echo", url.Values{"q": {"x"}, "tag": {"a", "b", "c"}}), "", "parameters: tag: ")
	wantCallError(t, h, bad, "InvalidRequest", post(`{}`), js, "input: text: required field missing")
	wantCallError(t, h, bad, "InvalidRequest", post(`{"text": "much too long"}`), js, "input: text: ")
	wantCallError(t, h, bad, "InvalidRequest", post(`{"text": "ok", "tags": ["a", "long"]}`), js, "input: tags/1: ")
	wantCallError(t, h, bad, "InvalidRequest", post(`{"text": 3`), js, "not a JSON object")
	wantCallError(t, h, bad, "InvalidRequest", post(`{"text": "ok"}`), "text/plain", "Wrong request encoding")
	if info, _ := h.Inspect(m.ID); info.Calls != 0 {
		t.Fatalf("refused requests reached the plugin: %d calls", info.Calls)
	}

	resp, ok, err := h.CallXRPC(ctx, get("dev.test.typed.echo", url.Values{"q": {"x"}, "n": {"5"}, "flag": {"true"}, "tag": {"a", "b"}, "other": {"z"}}), "")
	if !ok || err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), `"nsid":"dev.test.typed.echo"`) {
		t.Fatalf("valid query: %+v %v %v", resp, ok, err)
	}
	resp, ok, err = h.CallXRPC(ctx, post(`{"text": "ok", "tags": ["a"]}`), "application/json; charset=utf-8")
	if !ok || err != nil || resp.Status != 200 {
		t.Fatalf("valid procedure: %+v %v %v", resp, ok, err)
	}
	wantCallError(t, h, http.StatusBadGateway, "PluginFailed", get("dev.test.typed.strict", nil), "",
		"plugin dev.test.typed answered dev.test.typed.strict with output its lexicon does not allow", "missing: required field missing")
	wantCallError(t, h, http.StatusBadGateway, "PluginFailed", XRPCRequest{NSID: "dev.test.typed.mangle", Method: "POST", Body: []byte(`{"a": "b"}`)},
		"application/octet-stream", "plugin dev.test.typed answered dev.test.typed.mangle", "not a JSON object")
	info, _ := h.Inspect(m.ID)
	if info.Calls != 4 || info.Errors != 2 || len(info.RecentErrors) != 2 || info.State != StateEnabled {
		t.Fatalf("info after a refused answer = %+v", info)
	}
}

// benchCall measures CallXRPC of the echo query on the kitchen guest,
// installed with lexicons or without, and reports p50/p99.
func benchCall(b *testing.B, lexicons map[string]string) {
	ctx := context.Background()
	h := newHost(b, Options{})
	m, err := h.Install(ctx, typedBundle(b, typedToml, lexicons))
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		b.Fatal(err)
	}
	req := XRPCRequest{NSID: "dev.test.typed.echo", Method: "GET",
		Params: url.Values{"q": {"weather"}, "n": {"3"}, "flag": {"true"}, "tag": {"a", "b"}}}
	if resp, _, err := h.CallXRPC(ctx, req, ""); err != nil || resp.Status != 200 {
		b.Fatalf("warm-up: %+v %v", resp, err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, _, err := h.CallXRPC(ctx, req, ""); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}

// BenchmarkCallXRPCUntyped: a plugin endpoint without lexicons (baseline).
func BenchmarkCallXRPCUntyped(b *testing.B) { benchCall(b, nil) }

// BenchmarkCallXRPCTyped: the same call checked against its lexicon
// (four typed parameters, a JSON output through a reference).
func BenchmarkCallXRPCTyped(b *testing.B) { benchCall(b, typedLexicons) }
