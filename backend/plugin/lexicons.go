package plugin

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/lexicon"

	hlex "github.com/hearthpds/hearth/backend/lexicon"
)

// Bundled lexicons. A bundle may carry lexicon schema files under
// lexicons/ (lexicons/dev/example/notes/put.json defines
// dev.example.notes.put). At install, reload, enable and start-up the host
// parses them with indigo's lexicon package and refuses the bundle, naming
// the file, when:
//
//   - a file is not a valid lexicon schema (bad JSON, lexicon version, NSID
//     or definition), or its id does not match its path;
//   - its id is outside every NSID pattern of the manifest's xrpc:register
//     (so a bundle with lexicons must register some NSIDs);
//   - a reference ("#def", "other.nsid#def") resolves neither in the bundle
//     nor among the server's own lexicons;
//   - its main definition is a subscription (plugins serve no streams);
//   - an exact NSID of xrpc:register (not a "prefix.*" pattern) has no query
//     or procedure lexicon in the bundle.
//
// A plugin that bundles lexicons is typed: the host answers a call to an
// NSID under its patterns that none of its lexicons defines with 501
// MethodNotImplemented, and checks every other call against the method's
// lexicon (HTTP method, parameters, input, output) in CallXRPC. A plugin
// without lexicons is served as before, unchecked.

// ErrLexicon marks a bundle whose lexicons the host refuses.
var ErrLexicon = errors.New("invalid plugin lexicon")

// Bounds of a bundle's lexicons.
const (
	lexiconDir      = "lexicons"
	maxLexiconFiles = 256
	maxLexiconFile  = 1 << 20
)

// Lexicons are the lexicon schemas a plugin bundles.
type Lexicons struct {
	files   map[string][]byte // by slash path inside the bundle, as read
	own     *lexicon.BaseCatalog
	methods map[string]*method // the queries and procedures, by NSID
}

// Methods returns the NSIDs of the bundled queries and procedures, sorted.
func (l *Lexicons) Methods() []string { return slices.Sorted(maps.Keys(l.methods)) }

// Resolve implements lexicon.Catalog: the bundle's schemas first, then the
// server's own (for references such as com.atproto.repo.strongRef).
func (l *Lexicons) Resolve(ref string) (*lexicon.Schema, error) {
	s, err := l.own.Resolve(ref)
	if err == nil {
		return s, nil
	}
	server, serr := hlex.Catalog()
	if serr != nil {
		return nil, serr
	}
	return server.Resolve(ref)
}

func lexErr(file, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrLexicon, file, fmt.Sprintf(format, args...))
}

// lexiconPath is where the file defining nsid lives in a bundle.
func lexiconPath(nsid string) string {
	return lexiconDir + "/" + strings.ReplaceAll(nsid, ".", "/") + ".json"
}

// readLexiconFiles returns the lexicons/**/*.json files of a bundle folder
// or .zip by slash path (none: an empty map).
func readLexiconFiles(bundlePath string) (map[string][]byte, error) {
	fi, err := os.Stat(bundlePath)
	if err != nil {
		return nil, fmt.Errorf("plugin bundle: %w", err)
	}
	files := map[string][]byte{}
	if fi.IsDir() {
		err = readLexiconDir(bundlePath, files)
	} else {
		err = readLexiconZip(bundlePath, files)
	}
	if err != nil {
		return nil, fmt.Errorf("plugin bundle %s: %w", bundlePath, err)
	}
	return files, nil
}

func addLexiconFile(files map[string][]byte, name string, data []byte) error {
	if len(files) >= maxLexiconFiles {
		return fmt.Errorf("more than %d lexicon files", maxLexiconFiles)
	}
	if len(data) > maxLexiconFile {
		return fmt.Errorf("%s: larger than %d bytes", name, maxLexiconFile)
	}
	files[name] = data
	return nil
}

func isLexiconFile(name string) bool {
	return strings.HasPrefix(name, lexiconDir+"/") && strings.HasSuffix(name, ".json")
}

func readLexiconDir(dir string, files map[string][]byte) error {
	root := filepath.Join(dir, lexiconDir)
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !isLexiconFile(name) {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := readCapped(f)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return addLexiconFile(files, name, data)
	})
}

func readLexiconZip(path string, files map[string][]byte) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !isLexiconFile(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		data, err := readCapped(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if err := addLexiconFile(files, f.Name, data); err != nil {
			return err
		}
	}
	return nil
}

// loadLexicons parses a bundle's lexicon files and checks them against the
// manifest (see the rules above); no files is no lexicons (nil).
func loadLexicons(files map[string][]byte, m *Manifest) (*Lexicons, error) {
	if len(files) == 0 {
		return nil, nil
	}
	names := slices.Sorted(maps.Keys(files))
	reg, ok := m.Capability(CapXRPCRegister)
	if !ok {
		return nil, lexErr(names[0], "a bundle with lexicons must declare the xrpc:register capability covering them")
	}
	l := &Lexicons{files: files, own: lexicon.NewBaseCatalog(), methods: map[string]*method{}}
	parsed := make([]lexicon.SchemaFile, len(names))
	for i, name := range names {
		sf, err := l.add(name, files[name], reg.NSIDs)
		if err != nil {
			return nil, err
		}
		parsed[i] = sf
	}
	for i, name := range names {
		if err := l.checkRefs(name, parsed[i]); err != nil {
			return nil, err
		}
	}
	for _, n := range reg.NSIDs {
		if _, ok := l.methods[n]; !ok && !strings.HasSuffix(n, "*") {
			return nil, lexErr(lexiconPath(n), "missing: xrpc:register names %s, which has no query or procedure lexicon in the bundle", n)
		}
	}
	return l, nil
}

// add parses one file into the catalog and records its method, if any.
// The file's definitions are returned completed by the catalog (their
// references made absolute).
func (l *Lexicons) add(name string, data []byte, patterns []string) (lexicon.SchemaFile, error) {
	var sf lexicon.SchemaFile
	if err := json.Unmarshal(data, &sf); err != nil {
		return sf, lexErr(name, "not a lexicon schema: %v", err)
	}
	if err := l.own.AddSchemaFile(sf); err != nil {
		return sf, lexErr(name, "%v", err)
	}
	if want := lexiconPath(sf.ID); name != want {
		return sf, lexErr(name, "defines %s, which belongs in %s", sf.ID, want)
	}
	if !matchAny(patterns, sf.ID) {
		return sf, lexErr(name, "%s is outside the NSIDs the plugin registers (%s)", sf.ID, strings.Join(patterns, ", "))
	}
	switch d := sf.Defs["main"].Inner.(type) {
	case lexicon.SchemaQuery:
		l.methods[sf.ID] = &method{nsid: sf.ID, query: true, params: d.Parameters, output: d.Output}
	case lexicon.SchemaProcedure:
		l.methods[sf.ID] = &method{nsid: sf.ID, params: d.Parameters, input: d.Input, output: d.Output}
	case lexicon.SchemaSubscription:
		return sf, lexErr(name, "%s is a subscription; plugins serve queries and procedures only", sf.ID)
	}
	return sf, nil
}

// checkRefs resolves every reference of the file's definitions.
func (l *Lexicons) checkRefs(name string, sf lexicon.SchemaFile) error {
	for _, frag := range slices.Sorted(maps.Keys(sf.Defs)) {
		var bad string
		walkRefs(sf.ID, sf.Defs[frag].Inner, func(ref string) {
			if _, err := l.Resolve(ref); err != nil && bad == "" {
				bad = ref
			}
		})
		if bad != "" {
			return lexErr(name, "%s#%s refers to %s, which is neither in the bundle nor among the server's lexicons", sf.ID, frag, bad)
		}
	}
	return nil
}

// walkRefs calls fn with the full name of every reference under def (a
// definition of the schema file base).
func walkRefs(base string, def any, fn func(ref string)) {
	full := func(ref string) string {
		if strings.HasPrefix(ref, "#") {
			return base + ref
		}
		return ref
	}
	body := func(b *lexicon.SchemaBody) {
		if b != nil && b.Schema != nil {
			walkRefs(base, b.Schema.Inner, fn)
		}
	}
	params := func(p *lexicon.SchemaParams) {
		if p != nil {
			walkRefs(base, lexicon.SchemaObject{Properties: p.Properties}, fn)
		}
	}
	switch d := def.(type) {
	case lexicon.SchemaRecord:
		walkRefs(base, d.Record, fn)
	case lexicon.SchemaQuery:
		params(d.Parameters)
		body(d.Output)
	case lexicon.SchemaProcedure:
		params(d.Parameters)
		body(d.Input)
		body(d.Output)
	case lexicon.SchemaObject:
		for _, k := range slices.Sorted(maps.Keys(d.Properties)) {
			walkRefs(base, d.Properties[k].Inner, fn)
		}
	case lexicon.SchemaArray:
		walkRefs(base, d.Items.Inner, fn)
	case lexicon.SchemaRef:
		fn(full(d.Ref))
	case lexicon.SchemaUnion:
		for _, r := range d.Refs {
			fn(full(r))
		}
	}
}

// method is a bundled query or procedure.
type method struct {
	nsid          string
	query         bool // else a procedure
	params        *lexicon.SchemaParams
	input, output *lexicon.SchemaBody
}

// CallError is a call to a plugin's endpoint that the host answered itself
// because of the plugin's lexicon: before the plugin ran (a request the
// lexicon does not allow: 400 or 405 InvalidRequest, 501
// MethodNotImplemented) or after (an answer it does not allow: 502
// PluginFailed, naming the plugin; the answer is not passed on).
type CallError struct {
	Status  int    // HTTP status
	Name    string // XRPC error name
	Message string
}

func (e *CallError) Error() string { return e.Name + ": " + e.Message }

func badRequest(format string, args ...any) *CallError {
	return &CallError{Status: http.StatusBadRequest, Name: "InvalidRequest", Message: fmt.Sprintf(format, args...)}
}

// lexicons returns the plugin's bundled lexicons (nil: none).
func (p *Plugin) lexicons() *Lexicons {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lex
}

// CallXRPC is HandleXRPC with the plugin's bundled lexicons applied (see
// the rules above); encoding is the request's Content-Type. A request the
// lexicon refuses never reaches the plugin, and an answer it refuses is not
// returned: both are a *CallError. Other errors are the plugin's failures,
// as from HandleXRPC.
func (h *Host) CallXRPC(ctx context.Context, req XRPCRequest, encoding string) (XRPCResponse, bool, error) {
	p := h.index.Load().handlerFor(req.NSID)
	if p == nil {
		return XRPCResponse{}, false, nil
	}
	lex := p.lexicons()
	if lex == nil {
		return h.HandleXRPC(ctx, req)
	}
	m, ok := lex.methods[req.NSID]
	if !ok {
		return XRPCResponse{Plugin: p.id}, true, &CallError{Status: http.StatusNotImplemented, Name: "MethodNotImplemented",
			Message: fmt.Sprintf("Method Not Implemented: %s (plugin %s bundles no lexicon for it)", req.NSID, p.id)}
	}
	if err := m.checkRequest(lex, req, encoding); err != nil {
		return XRPCResponse{Plugin: p.id}, true, err
	}
	resp, ok, err := h.HandleXRPC(ctx, req)
	if err != nil || !ok {
		return resp, ok, err
	}
	if err := m.checkOutput(lex, resp); err != nil {
		ce := &CallError{Status: http.StatusBadGateway, Name: "PluginFailed",
			Message: fmt.Sprintf("plugin %s answered %s with output its lexicon does not allow: %v", p.id, req.NSID, err)}
		p.noteFailure(ce)
		return XRPCResponse{Plugin: p.id}, true, ce
	}
	return resp, true, nil
}

// noteFailure records an answer the host refused among the plugin's
// errors (Inspect); it does not count towards the circuit breaker.
func (p *Plugin) noteFailure(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.errors++
	p.stats.recent = append(p.stats.recent, RecentError{At: time.Now().UTC(), Error: err.Error()})
	if len(p.stats.recent) > 20 {
		p.stats.recent = p.stats.recent[len(p.stats.recent)-20:]
	}
}

// checkRequest checks the HTTP method, the parameters and the input.
func (m *method) checkRequest(cat lexicon.Catalog, req XRPCRequest, encoding string) error {
	if err := m.checkHTTPMethod(req.Method); err != nil {
		return err
	}
	if err := m.checkParams(cat, req.Params); err != nil {
		return err
	}
	return m.checkInput(cat, req.Body, encoding)
}

// checkHTTPMethod answers a wrong method as the router does for the
// server's own: 405 InvalidRequest.
func (m *method) checkHTTPMethod(verb string) error {
	if m.query && (verb == http.MethodGet || verb == http.MethodHead) || !m.query && verb == http.MethodPost {
		return nil
	}
	want := http.MethodPost
	if m.query {
		want = http.MethodGet
	}
	return &CallError{Status: http.StatusMethodNotAllowed, Name: "InvalidRequest",
		Message: fmt.Sprintf("this method takes %s requests, not %s", want, verb)}
}

// checkParams converts the query parameters the lexicon declares to their
// types and validates them as one object. Undeclared parameters pass; an
// empty value counts as absent.
func (m *method) checkParams(cat lexicon.Catalog, q url.Values) error {
	if m.params == nil {
		return nil
	}
	obj := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(m.params.Properties)) {
		raw := slices.DeleteFunc(slices.Clone(q[name]), func(s string) bool { return s == "" })
		if len(raw) == 0 {
			continue
		}
		v, err := paramValue(m.params.Properties[name].Inner, raw)
		if err != nil {
			return badRequest("Invalid %s parameters: %s: %v", m.nsid, name, err)
		}
		obj[name] = v
	}
	def := lexicon.SchemaDef{Inner: lexicon.SchemaObject{Type: "object", Properties: m.params.Properties, Required: m.params.Required}}
	if err := hlex.ValidateData(cat, m.nsid, def, obj, m.nsid+" parameters"); err != nil {
		return badRequest("%s", err.Error())
	}
	return nil
}

// paramValue converts a parameter's text to the lexicon's type.
func paramValue(def any, raw []string) (any, error) {
	if arr, ok := def.(lexicon.SchemaArray); ok {
		out := make([]any, len(raw))
		for i, s := range raw {
			v, err := scalarParam(arr.Items.Inner, s)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	if len(raw) > 1 {
		return nil, fmt.Errorf("given %d times; it takes one value", len(raw))
	}
	return scalarParam(def, raw[0])
}

func scalarParam(def any, s string) (any, error) {
	switch def.(type) {
	case lexicon.SchemaInteger:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be an integer: %q", s)
		}
		return n, nil
	case lexicon.SchemaBoolean:
		switch s {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("must be true or false: %q", s)
	}
	return s, nil
}

// checkInput checks the body's encoding and, for JSON with a schema, its
// content.
func (m *method) checkInput(cat lexicon.Catalog, body []byte, encoding string) error {
	if m.input == nil {
		if len(body) > 0 {
			return badRequest("%s takes no input", m.nsid)
		}
		return nil
	}
	if mt := mediaType(encoding); !mimeMatch(m.input.Encoding, mt) {
		return badRequest("Wrong request encoding (Content-Type): %q; %s takes %s", mt, m.nsid, m.input.Encoding)
	}
	if m.input.Schema == nil || mediaType(m.input.Encoding) != "application/json" {
		return nil
	}
	data, err := atdata.UnmarshalJSON(body)
	if err != nil {
		return badRequest("Invalid %s input: not a JSON object: %v", m.nsid, err)
	}
	if err := hlex.ValidateData(cat, m.nsid, *m.input.Schema, data, m.nsid+" input"); err != nil {
		return badRequest("%s", err.Error())
	}
	return nil
}

// checkOutput checks a successful answer against the lexicon's output;
// error answers (status 300 and up) pass unchanged.
func (m *method) checkOutput(cat lexicon.Catalog, resp XRPCResponse) error {
	if resp.Status < 200 || resp.Status > 299 {
		return nil
	}
	if m.output == nil {
		if len(resp.Body) > 0 {
			return fmt.Errorf("the method has no output, the answer has %d bytes", len(resp.Body))
		}
		return nil
	}
	if mt := mediaType(resp.Encoding); !mimeMatch(m.output.Encoding, mt) {
		return fmt.Errorf("encoding %q, not %s", mt, m.output.Encoding)
	}
	if m.output.Schema == nil || mediaType(m.output.Encoding) != "application/json" {
		return nil
	}
	data, err := atdata.UnmarshalJSON(resp.Body)
	if err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	return hlex.ValidateData(cat, m.nsid, *m.output.Schema, data, m.nsid+" output")
}

// mediaType is a Content-Type's lower-case media type without parameters.
func mediaType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// mimeMatch reports whether media type mt is one a lexicon encoding
// accepts ("*/*", "image/*" or exact).
func mimeMatch(pattern, mt string) bool {
	pattern = mediaType(pattern)
	switch {
	case mt == "":
		return false
	case pattern == "*/*":
		return true
	case strings.HasSuffix(pattern, "/*"):
		return strings.HasPrefix(mt, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == mt
}

// writeTo stores the lexicon files in the bundle folder dir (nil: none).
// Their paths were checked against their NSIDs when they were loaded.
func (l *Lexicons) writeTo(dir string) error {
	if l == nil {
		return nil
	}
	for name, data := range l.files {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
