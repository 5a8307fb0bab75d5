package lexicon

import (
	"errors"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atdata"
)

const (
	blobCID   = "bafkreih6lbrsh2lzhk6byid3kw2a6dotahe2abtwdwhx2xxf73xlqcbnqy"
	recordCID = "bafyreih6lbrsh2lzhk6byid3kw2a6dotahe2abtwdwhx2xxf73xlqcbnqy"
	now       = `"createdAt": "2026-06-01T12:00:00.000Z"`
)

// record parses JSON into the atdata form ValidateRecord takes.
func record(t *testing.T, js string) map[string]any {
	t.Helper()
	rec, err := atdata.UnmarshalJSON([]byte(js))
	if err != nil {
		t.Fatalf("atdata.UnmarshalJSON(%s): %v", js, err)
	}
	return rec
}

func TestValidateRecordValid(t *testing.T) {
	cases := []struct {
		name, collection, json string
	}{
		{"post with facets and image embed", "app.bsky.feed.post", `{
			"$type": "app.bsky.feed.post",
			"text": "hello @alice.test see https://example.com",
			"langs": ["en"],
			"facets": [
				{"index": {"byteStart": 6, "byteEnd": 17},
				 "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:abcdefghijklmnopqrstuvwx"}]},
				{"index": {"byteStart": 22, "byteEnd": 41},
				 "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}]}
			],
			"embed": {"$type": "app.bsky.embed.images", "images": [
				{"alt": "a cat", "image": {"$type": "blob", "ref": {"$link": "` + blobCID + `"}, "mimeType": "image/jpeg", "size": 12345},
				 "aspectRatio": {"width": 4, "height": 3}}
			]},
			` + now + `}`},
		{"post without $type", "app.bsky.feed.post", `{"text": "", ` + now + `}`},
		{"post with a reply and an unknown open-union label", "app.bsky.feed.post", `{
			"text": "re",
			"reply": {
				"root": {"uri": "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabc", "cid": "` + recordCID + `"},
				"parent": {"uri": "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabc", "cid": "` + recordCID + `"}
			},
			"embed": {"$type": "com.example.embed", "anything": 1},
			` + now + `}`},
		{"profile with avatar blob", "app.bsky.actor.profile", `{
			"$type": "app.bsky.actor.profile",
			"displayName": "Alice",
			"avatar": {"$type": "blob", "ref": {"$link": "` + blobCID + `"}, "mimeType": "image/png", "size": 2048}}`},
		{"profile with legacy avatar blob", "app.bsky.actor.profile", `{
			"avatar": {"cid": "` + blobCID + `", "mimeType": "image/jpeg"}}`},
		{"like", "app.bsky.feed.like", `{
			"subject": {"uri": "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabc", "cid": "` + recordCID + `"},
			` + now + `}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateRecord(tc.collection, record(t, tc.json))
			if err != nil || got != Valid {
				t.Fatalf("ValidateRecord = %q, %v; want valid", got, err)
			}
		})
	}
}

func TestValidateRecordInvalid(t *testing.T) {
	long := strings.Repeat("é", 301)
	cases := []struct {
		name, collection, json string
		path, message          string
	}{
		{"text too long", "app.bsky.feed.post",
			`{"text": "` + long + `", ` + now + `}`,
			"text", "Invalid app.bsky.feed.post record: text: string length (graphemes) outside specified range: 301"},
		{"missing createdAt", "app.bsky.feed.post",
			`{"text": "hi"}`,
			"createdAt", "Invalid app.bsky.feed.post record: createdAt: required field missing"},
		{"text of wrong type", "app.bsky.feed.post",
			`{"text": 42, ` + now + `}`,
			"text", "Invalid app.bsky.feed.post record: text: expected a string"},
		{"image without alt", "app.bsky.feed.post",
			`{"text": "", "embed": {"$type": "app.bsky.embed.images", "images": [
				{"image": {"$type": "blob", "ref": {"$link": "` + blobCID + `"}, "mimeType": "image/png", "size": 1}}]}, ` + now + `}`,
			"embed/images/0/alt", "required field missing"},
		{"bad mention DID in a facet", "app.bsky.feed.post",
			`{"text": "hi", "facets": [{"index": {"byteStart": 0, "byteEnd": 2},
				"features": [{"$type": "app.bsky.richtext.facet#mention", "did": "alice"}]}], ` + now + `}`,
			"facets/0/features/0/did", "did"},
		{"lenient createdAt", "app.bsky.feed.post",
			`{"text": "hi", "createdAt": "2026-06-01T12:00:00"}`,
			"createdAt", "createdAt: must be a valid atproto datetime"},
		{"avatar of wrong mime type", "app.bsky.actor.profile",
			`{"avatar": {"$type": "blob", "ref": {"$link": "` + blobCID + `"}, "mimeType": "image/gif", "size": 1}}`,
			"avatar", "blob mimetype doesn't match accepted: image/gif"},
		{"bad $type", "app.bsky.feed.post",
			`{"$type": "app.bsky.feed.like", "text": "hi", ` + now + `}`,
			"$type", "Invalid $type: expected app.bsky.feed.post, got app.bsky.feed.like"},
		{"bad $type on an unknown collection", "com.example.thing",
			`{"$type": "com.example.other"}`,
			"$type", "Invalid $type: expected com.example.thing, got com.example.other"},
		{"method used as a collection", "com.atproto.repo.createRecord",
			`{}`,
			"", "Invalid com.atproto.repo.createRecord record: com.atproto.repo.createRecord is a procedure, not a record type"},
		{"collection not an NSID", "not an nsid",
			`{}`,
			"", "Invalid collection"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateRecord(tc.collection, record(t, tc.json))
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("ValidateRecord = %q, %v; want a *ValidationError", got, err)
			}
			if got != "" {
				t.Errorf("status = %q, want empty with an error", got)
			}
			if verr.Path != tc.path {
				t.Errorf("Path = %q, want %q (message %q)", verr.Path, tc.path, verr.Message)
			}
			if !strings.Contains(verr.Error(), tc.message) {
				t.Errorf("Error() = %q, want it to contain %q", verr.Error(), tc.message)
			}
		})
	}
}

func TestValidateRecordUnknownCollection(t *testing.T) {
	for _, js := range []string{`{"anything": [1, 2, 3]}`, `{"$type": "com.example.thing"}`} {
		got, err := ValidateRecord("com.example.thing", record(t, js))
		if err != nil || got != Unknown {
			t.Errorf("ValidateRecord(%s) = %q, %v; want unknown", js, got, err)
		}
	}
}

func TestValidateRecordDoesNotModifyRecord(t *testing.T) {
	rec := record(t, `{"text": "hi", `+now+`}`)
	if _, err := ValidateRecord("app.bsky.feed.post", rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec["$type"]; ok {
		t.Error("ValidateRecord added $type to the caller's map")
	}
}

func TestValidationErrorUnwraps(t *testing.T) {
	_, err := ValidateRecord("app.bsky.feed.post", record(t, `{"$type": "app.bsky.feed.like"}`))
	if !errors.Is(err, errWrongType) {
		t.Errorf("errors.Is(%v, errWrongType) = false", err)
	}
}

// TestValidateRecordConcurrent runs first validations from many goroutines
// at once, so the race detector sees the lazy loading.
func TestValidateRecordConcurrent(t *testing.T) {
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			_, err := ValidateRecord("app.bsky.feed.post", map[string]any{"text": "hi", "createdAt": "2026-06-01T12:00:00Z"})
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
