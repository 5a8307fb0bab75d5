//go:build !wasip1

package main

import (
	"testing"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// The hooks run natively against the SDK's fake host.
func TestFilter(t *testing.T) {
	pds.Fake.Config = map[string]string{"banned": `["Spam"]`}
	for text, rejected := range map[string]bool{"hello": false, "more SPAM please": true} {
		rec, err := pds.EncodeRecord(map[string]any{"$type": "app.bsky.feed.post", "text": text})
		if err != nil {
			t.Fatal(err)
		}
		d := pds.Registered().BeforeRecord(pds.RecordEvent{Action: "create", Collection: "app.bsky.feed.post", Record: rec})
		if d.Rejected() != rejected || (rejected && d.Error != "ContentRejected") {
			t.Errorf("%q: %+v", text, d)
		}
	}
}
