// Command contentfilter is the Go SDK's example plugin: it rejects posts
// whose text contains one of the configured banned words.
package main

import (
	"encoding/json"
	"strings"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

var banned []string

func init() {
	pds.Register(pds.Plugin{BeforeRecord: filter})
}

// load reads the banned words once per instance (config changes apply
// after a reload).
func load() {
	if banned != nil {
		return
	}
	banned = []string{}
	raw, err := pds.Config("banned")
	if err != nil {
		pds.Log(pds.LevelWarn, "no banned words configured: "+err.Error())
		return
	}
	var words []string
	if err := json.Unmarshal([]byte(raw), &words); err != nil {
		pds.Log(pds.LevelError, "config banned: "+err.Error())
		return
	}
	for _, w := range words {
		banned = append(banned, strings.ToLower(w))
	}
}

func filter(ev pds.RecordEvent) pds.Decision {
	load()
	text := strings.ToLower(ev.Record.Text("text"))
	for _, w := range banned {
		if w != "" && strings.Contains(text, w) {
			return pds.Reject("ContentRejected", "the post contains a banned word")
		}
	}
	return pds.Allow()
}
