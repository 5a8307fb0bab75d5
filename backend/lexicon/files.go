package lexicon

import (
	"bufio"
	"bytes"
	"embed"
	"path"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// files is the copy of indigo's lexicons/ tree made by go generate, plus its
// SOURCE and licence files.
//
//go:embed lexicons
var files embed.FS

// root is the directory inside files that holds the tree.
const root = "lexicons"

// Schema returns the lexicon JSON file that defines nsid, byte for byte as
// shipped, and whether there is one. An NSID's authority is matched case
// insensitively; its name is case sensitive.
func Schema(nsid string) ([]byte, bool) {
	n, err := syntax.ParseNSID(nsid)
	if err != nil {
		return nil, false
	}
	for _, t := range trees {
		if b, err := t.fs.ReadFile(schemaPath(t.root, n.Normalize())); err == nil {
			return b, true
		}
	}
	return nil, false
}

// schemaPath is where the file defining nsid lives under root. The
// generator (and TestHearthLexicons for Hearth's own) checks that every
// file's "id" matches its path, so no index is needed.
func schemaPath(root string, nsid syntax.NSID) string {
	return path.Join(root, strings.ReplaceAll(nsid.String(), ".", "/")) + ".json"
}

// Version returns the version of the indigo module the embedded lexicons were
// copied from, as recorded in lexicons/SOURCE, or "" if SOURCE has none.
func Version() string {
	b, err := files.ReadFile(path.Join(root, "SOURCE"))
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "version "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
