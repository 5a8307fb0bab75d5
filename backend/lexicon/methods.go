package lexicon

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

// Kind is the type of a lexicon's main definition.
type Kind string

// The kinds of main definition the index records. Lexicons whose main
// definition is of another type (an object, a token) or that have none (pure
// "defs" files) are left out of the index.
const (
	KindRecord       Kind = "record"
	KindQuery        Kind = "query"
	KindProcedure    Kind = "procedure"
	KindSubscription Kind = "subscription"
)

// methodAuthorities are the NSID prefixes whose methods [Methods] reports:
// the ones a PDS implements itself or proxies to an app view, chat service or
// moderation service, and Hearth's own.
var methodAuthorities = []string{"com.atproto.", "app.bsky.", "chat.bsky.", "tools.ozone.", "dev.hearthpds."}

// Method is one XRPC method of a known lexicon.
type Method struct {
	// NSID names the method, e.g. "com.atproto.repo.createRecord".
	NSID string
	// Kind is KindQuery (HTTP GET), KindProcedure (HTTP POST) or
	// KindSubscription (a websocket).
	Kind Kind
	// Description is the lexicon's description of the method; it may be
	// empty.
	Description string
}

// entry is the index's view of one lexicon file.
type entry struct {
	kind        Kind
	description string
}

// index maps every embedded lexicon with a record, query, procedure or
// subscription main definition to its entry. It is built once, on first use,
// by a shallow decode of each file, without loading the full catalog.
var index = sync.OnceValues(func() (map[string]entry, error) {
	idx := make(map[string]entry)
	for _, t := range trees {
		err := fs.WalkDir(t.fs, t.root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
				return err
			}
			return addToIndex(idx, t.fs, p)
		})
		if err != nil {
			return nil, fmt.Errorf("lexicon: indexing embedded schemas: %w", err)
		}
	}
	return idx, nil
})

// addToIndex decodes just the id and main definition type of file p of
// fsys.
func addToIndex(idx map[string]entry, fsys embed.FS, p string) error {
	b, err := fsys.ReadFile(p)
	if err != nil {
		return err
	}
	var head struct {
		ID   string `json:"id"`
		Defs struct {
			Main *struct {
				Type        Kind   `json:"type"`
				Description string `json:"description"`
			} `json:"main"`
		} `json:"defs"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if m := head.Defs.Main; m != nil && m.Type.known() {
		idx[head.ID] = entry{kind: m.Type, description: m.Description}
	}
	return nil
}

func (k Kind) known() bool {
	switch k {
	case KindRecord, KindQuery, KindProcedure, KindSubscription:
		return true
	}
	return false
}

// mustIndex returns the index. Building it can only fail if the embedded copy
// is corrupt, which TestEmbeddedCopyLoads rules out, so it panics then.
func mustIndex() map[string]entry {
	idx, err := index()
	if err != nil {
		panic(err)
	}
	return idx
}

// Methods returns every query, procedure and subscription of the
// com.atproto.*, app.bsky.*, chat.bsky.*, tools.ozone.* and Hearth's own
// dev.hearthpds.* lexicons, sorted by NSID. The slice is the caller's to keep or modify.
func Methods() []Method {
	var out []Method
	for nsid, e := range mustIndex() {
		if m, ok := asMethod(nsid, e); ok {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Method) int { return strings.Compare(a.NSID, b.NSID) })
	return out
}

// LookupMethod returns the method named nsid if [Methods] would list it.
// NSIDs are matched exactly, as XRPC paths are.
func LookupMethod(nsid string) (Method, bool) {
	e, ok := mustIndex()[nsid]
	if !ok {
		return Method{}, false
	}
	return asMethod(nsid, e)
}

func asMethod(nsid string, e entry) (Method, bool) {
	if e.kind == KindRecord || !hasMethodAuthority(nsid) {
		return Method{}, false
	}
	return Method{NSID: nsid, Kind: e.kind, Description: e.description}, true
}

func hasMethodAuthority(nsid string) bool {
	for _, a := range methodAuthorities {
		if strings.HasPrefix(nsid, a) {
			return true
		}
	}
	return false
}

// Records returns the NSID of every embedded record lexicon (every collection
// [ValidateRecord] can check), sorted.
func Records() []string {
	var out []string
	for nsid, e := range mustIndex() {
		if e.kind == KindRecord {
			out = append(out, nsid)
		}
	}
	slices.Sort(out)
	return out
}

// kindOf returns the kind of nsid's main definition, if the index has it.
func kindOf(nsid string) (Kind, bool) {
	e, ok := mustIndex()[nsid]
	return e.kind, ok
}
