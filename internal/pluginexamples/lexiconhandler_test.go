package pluginexamples

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const (
	notesPut  = "dev.hearthpds.example.notes.put"
	notesList = "dev.hearthpds.example.notes.list"
)

// TestLexiconHandler runs plugins/examples/lexiconhandler on a running
// server: its methods, under its own NSIDs, store and page through the
// caller's notes; requests its bundled lexicons refuse are answered by the
// host before the plugin runs, naming the field; an answer they refuse is a
// 502 naming the plugin.
func TestLexiconHandler(t *testing.T) { testdb.RunURL(t, testLexiconHandler) }

func testLexiconHandler(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	id := install(t, pds, goExample(t, "lexiconhandler"), nil)
	alice, bob := pds.Account(t, "alice.test"), pds.Account(t, "bob.test")

	pds.Anon(t).Want(http.StatusUnauthorized, "AuthRequired", notesPut, "", map[string]any{"text": "who am I"})
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		out := alice.Must(notesPut, "", map[string]any{"text": text, "tags": []string{"t"}})
		if key, _ := out["key"].(string); len(key) != 20 || out["createdAt"] == nil {
			t.Fatalf("put %q answered %v", text, out)
		}
	}
	bob.Must(notesPut, "", map[string]any{"text": "bob's own"})

	got := pageNotes(t, alice, 2)
	if strings.Join(got, " ") != "one two three four five" {
		t.Fatalf("alice's notes paged by 2: %v", got)
	}
	if got := pageNotes(t, bob, 50); len(got) != 1 || got[0] != "bob's own" {
		t.Fatalf("bob's notes: %v", got)
	}

	// Refused by the host: the plugin is not called.
	calls := inspect(t, pds, id)["calls"]
	refused := func(status int, nsid, query string, body any, field string) {
		t.Helper()
		out := alice.Want(status, "InvalidRequest", nsid, query, body)
		if msg, _ := out["message"].(string); !strings.Contains(msg, field) {
			t.Fatalf("%s %s %v: message %q does not name %q", nsid, query, body, msg, field)
		}
	}
	refused(400, notesPut, "", map[string]any{"tags": []string{"x"}}, "input: text: required field missing")
	refused(400, notesPut, "", map[string]any{"text": strings.Repeat("é", 301)}, "input: text: ")
	refused(400, notesPut, "", map[string]any{"text": "ok", "tags": []any{"fine", 7}}, "input: tags/1: ")
	refused(400, notesList, "limit=0", nil, "parameters: limit: ")
	refused(400, notesList, "limit=abc", nil, `limit: must be an integer: "abc"`)
	refused(400, notesList, "limit=101", nil, "parameters: limit: ")
	refused(http.StatusMethodNotAllowed, notesPut, "", nil, "takes POST")
	refused(http.StatusMethodNotAllowed, notesList, "", map[string]any{}, "takes GET")
	alice.Want(http.StatusNotImplemented, "MethodNotImplemented", "dev.hearthpds.example.notes.delete", "", map[string]any{})
	if now := inspect(t, pds, id)["calls"]; now != calls {
		t.Fatalf("refused requests reached the plugin: calls %v → %v", calls, now)
	}

	// An answer the lexicon does not allow never reaches the client.
	configure(t, pds, id, map[string]any{"bad_output": true})
	out := alice.Want(http.StatusBadGateway, "PluginFailed", notesPut, "", map[string]any{"text": "six"})
	if msg, _ := out["message"].(string); !strings.Contains(msg, "plugin "+id) || !strings.Contains(msg, "key") {
		t.Fatalf("bad output: message %q does not name the plugin and the field", msg)
	}
	configure(t, pds, id, map[string]any{"bad_output": false})
	alice.Must(notesPut, "", map[string]any{"text": "seven"})
	if got := pageNotes(t, alice, 100); len(got) != 7 || got[6] != "seven" {
		t.Fatalf("after the refused answer alice has %v", got)
	}
	if info := inspect(t, pds, id); info["state"] != "enabled" || info["errors"].(float64) != 1 {
		t.Fatalf("inspect after one refused answer: %v", info)
	}
}

// pageNotes lists the client's notes limit at a time and returns their
// texts, checking that paging ends and returns each note once.
func pageNotes(t *testing.T, c *testpds.Client, limit int) []string {
	t.Helper()
	var texts []string
	seen := map[string]bool{}
	cursor := ""
	for range 50 {
		q := "limit=" + strconv.Itoa(limit)
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		out := c.Must(notesList, q, nil)
		notes := out["notes"].([]any)
		if len(notes) > limit {
			t.Fatalf("page of %d notes for limit %d", len(notes), limit)
		}
		for _, n := range notes {
			n := n.(map[string]any)
			key := n["key"].(string)
			if seen[key] {
				t.Fatalf("note %s listed twice", key)
			}
			seen[key] = true
			texts = append(texts, n["text"].(string))
		}
		next, ok := out["cursor"].(string)
		if !ok {
			return texts
		}
		cursor = next
	}
	t.Fatal("paging did not end")
	return nil
}
