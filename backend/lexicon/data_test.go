package lexicon

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/bluesky-social/indigo/atproto/lexicon"
)

const dataSchema = `{
  "lexicon": 1, "id": "dev.example.data.put",
  "defs": {
    "main": {"type": "procedure", "input": {"encoding": "application/json", "schema": {
      "type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "maxLength": 5},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
        "ref": {"type": "ref", "ref": "#inner"}
      }}}},
    "inner": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 1}}}
  }
}`

// TestValidateData checks a method's input against its definition and
// names the failing value, through local references too.
func TestValidateData(t *testing.T) {
	var sf lexicon.SchemaFile
	if err := json.Unmarshal([]byte(dataSchema), &sf); err != nil {
		t.Fatal(err)
	}
	cat := lexicon.NewBaseCatalog()
	if err := cat.AddSchemaFile(sf); err != nil {
		t.Fatal(err)
	}
	s, err := cat.Resolve("dev.example.data.put")
	if err != nil {
		t.Fatal(err)
	}
	def := *s.Def.(lexicon.SchemaProcedure).Input.Schema
	if err := ValidateData(cat, "dev.example.data.put", def, map[string]any{"text": "hi", "tags": []any{"a"}}, "input"); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	for _, c := range []struct {
		v    map[string]any
		path string
	}{
		{map[string]any{}, "text"},
		{map[string]any{"text": "too long"}, "text"},
		{map[string]any{"text": "ok", "tags": []any{"a", "long"}}, "tags/1"},
		{map[string]any{"text": "ok", "ref": map[string]any{"n": int64(0)}}, "ref/n"},
	} {
		err := ValidateData(cat, "dev.example.data.put", def, c.v, "dev.example.data.put input")
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Path != c.path {
			t.Errorf("%v: got %v, want a ValidationError at %s", c.v, err, c.path)
			continue
		}
		if want := "Invalid dev.example.data.put input: " + c.path + ": "; len(ve.Message) <= len(want) || ve.Message[:len(want)] != want {
			t.Errorf("%v: message %q does not start %q", c.v, ve.Message, want)
		}
	}
}
