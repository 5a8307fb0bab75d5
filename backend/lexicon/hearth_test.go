package lexicon

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// TestHearthLexicons checks Hearth's hand-written lexicons: each file's id
// matches its path, no NSID is also in indigo's tree, every one loads into
// the catalog, and the methods are listed with their kinds.
func TestHearthLexicons(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = fs.WalkDir(hearthFiles, hearthRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := hearthFiles.ReadFile(p)
		if err != nil {
			return err
		}
		var head struct {
			ID   string                     `json:"id"`
			Defs map[string]json.RawMessage `json:"defs"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		want := strings.TrimSuffix(strings.TrimPrefix(p, hearthRoot+"/"), ".json")
		if strings.ReplaceAll(head.ID, ".", "/") != want {
			t.Errorf("%s: id %q does not match its path", p, head.ID)
		}
		if _, err := files.ReadFile(schemaPath(root, syntax.NSID(head.ID))); err == nil {
			t.Errorf("%s is also defined in indigo's tree", head.ID)
		}
		for name := range head.Defs {
			ref := head.ID
			if name != "main" {
				ref += "#" + name
			}
			if _, err := cat.Resolve(ref); err != nil {
				t.Errorf("%s: not in the catalog: %v", ref, err)
			}
		}
		if got, ok := Schema(head.ID); !ok || string(got) != string(b) {
			t.Errorf("Schema(%s) = %d bytes, %v", head.ID, len(got), ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no Hearth lexicons embedded")
	}
	for nsid, kind := range map[string]Kind{
		"dev.hearthpds.delegation.addController":   KindProcedure,
		"dev.hearthpds.delegation.listControllers": KindQuery,
		"dev.hearthpds.delegation.getAuditLog":     KindQuery,
	} {
		if m, ok := LookupMethod(nsid); !ok || m.Kind != kind {
			t.Errorf("LookupMethod(%s) = %+v, %v", nsid, m, ok)
		}
	}
	if _, ok := LookupMethod("dev.hearthpds.delegation.defs"); ok {
		t.Error("a defs file is listed as a method")
	}
}
