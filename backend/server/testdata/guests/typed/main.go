// Command typed is the server's test guest for bundled lexicons: it serves
// dev.test.typed.echo (a procedure answering the input's "reply" value as
// its output, so a test chooses a valid or an invalid answer) and
// dev.test.typed.get (a query answering its n parameter and the caller);
// anything else answers {"reached": true}, which shows a call got through.
package main

import (
	"encoding/json"
	"net/url"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

func init() {
	pds.Register(pds.Plugin{XRPCHandle: handle})
}

func handle(r pds.XRPCRequest) pds.XRPCResponse {
	switch r.NSID {
	case "dev.test.typed.echo":
		var in struct {
			Reply json.RawMessage `json:"reply"`
		}
		_ = json.Unmarshal(r.Body, &in)
		return pds.XRPCResponse{Status: 200, Encoding: "application/json", Body: in.Reply}
	case "dev.test.typed.get":
		q, _ := url.ParseQuery(r.Params)
		out, _ := json.Marshal(map[string]any{"n": json.Number(q.Get("n")), "caller": r.Auth})
		return pds.XRPCResponse{Status: 200, Encoding: "application/json", Body: out}
	}
	return pds.XRPCResponse{Status: 200, Encoding: "application/json", Body: []byte(`{"reached":true}`)}
}
