// Command hooks is the server's test guest: its record hooks reject,
// replace and trap by what a post's text says; its blob, xrpc and firehose
// hooks refuse marked input and note what they saw in kv, so the tests
// drive them over HTTP.
package main

import (
	"encoding/json"
	"strconv"
	"strings"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

func init() {
	pds.Register(pds.Plugin{BeforeRecord: before, AfterRecord: after,
		ValidateBlob: validateBlob,
		AfterBlobUpload: func(ev pds.BlobEvent) {
			_ = pds.KVPut("blob/"+ev.CID, []byte(ev.Mime))
		},
		XRPCBefore: func(ev pds.XRPCEvent) pds.Decision {
			if strings.Contains(ev.Params, "plugin-block") {
				return pds.Reject("Blocked", "no "+ev.NSID)
			}
			return pds.Allow()
		},
		XRPCAfter: func(ev pds.XRPCEvent) {
			_ = pds.KVPut("xrpc/"+ev.NSID, []byte(strconv.Itoa(ev.Status)))
		},
		XRPCHandle: func(r pds.XRPCRequest) pds.XRPCResponse {
			if strings.HasSuffix(r.NSID, ".fail") {
				panic("handler trap")
			}
			out, _ := json.Marshal(map[string]string{"nsid": r.NSID, "method": r.Method, "params": r.Params, "caller": r.Auth, "body": string(r.Body)})
			return pds.XRPCResponse{Status: 200, Encoding: "application/json", Body: out}
		},
		OnCommit: func(ev pds.CommitEvent) {
			for _, op := range ev.Ops {
				_ = pds.KVPut("commit/"+op.Path, []byte(op.Action))
			}
		},
	})
}

// validateBlob reads the upload in 4-byte chunks and refuses one that says
// "virus".
func validateBlob(ev pds.BlobEvent) pds.Decision {
	var all []byte
	for off := 0; ; off += 4 {
		b, err := pds.ReadBlob(ev.Repo, ev.CID, off, 4)
		if err != nil {
			return pds.Reject("Test", "blob_read: "+err.Error())
		}
		if len(b) == 0 {
			break
		}
		all = append(all, b...)
	}
	if strings.Contains(string(all), "virus") {
		return pds.Reject("Infected", "the blob is infected")
	}
	return pds.Allow()
}

func before(ev pds.RecordEvent) pds.Decision {
	text := ev.Record.Text("text")
	switch {
	case strings.Contains(text, "banned"):
		return pds.Reject("ContentRejected", "the post contains a banned word")
	case strings.Contains(text, "shout"), strings.Contains(text, "break"):
		rec, err := ev.Record.Decode()
		if err != nil {
			return pds.Reject("Test", err.Error())
		}
		if strings.Contains(text, "break") {
			rec["text"] = int64(5) // not a string: fails the lexicon
		} else {
			rec["text"] = strings.ToUpper(text)
		}
		out, err := pds.EncodeRecord(rec)
		if err != nil {
			return pds.Reject("Test", err.Error())
		}
		return pds.Replace(out)
	}
	return pds.Allow()
}

func after(ev pds.RecordEvent) {
	text := ev.Record.Text("text")
	if strings.Contains(text, "boom") {
		panic("after-hook trap")
	}
	_ = pds.KVPut("after/"+ev.Action+"/"+ev.RKey, []byte(text))
}
