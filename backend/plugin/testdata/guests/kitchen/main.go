// Command kitchen is the host's test guest: its record.before_create hook
// does what the record's collection names (loop, allocate, read files,
// fetch, fill kv, read records, reject, replace, trap), so one module
// exercises every limit and capability.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// version is set with -ldflags "-X main.version=…" to build a second version.
var version = "1"

func main() {}

func init() {
	pds.Register(pds.Plugin{BeforeRecord: before, AfterRecord: after,
		XRPCHandle: func(r pds.XRPCRequest) pds.XRPCResponse {
			return pds.XRPCResponse{Status: 200, Encoding: "application/json",
				Body: []byte(`{"nsid":"` + r.NSID + `","params":"` + r.Params + `","body":"` + string(r.Body) + `"}`)}
		},
		XRPCBefore: func(ev pds.XRPCEvent) pds.Decision {
			if strings.Contains(ev.NSID, "blocked") {
				return pds.Reject("Blocked", ev.Method+" "+ev.NSID+" "+ev.Params)
			}
			return pds.Allow()
		},
		XRPCAfter: func(ev pds.XRPCEvent) {
			_ = pds.KVPut("xrpc/"+ev.NSID, []byte(itoa(ev.Status)))
		},
		BeforeBlobUpload: func(ev pds.BlobEvent) pds.Decision {
			if ev.Mime == "application/x-bad" {
				return pds.Reject("BadBlob", ev.CID+" "+itoa(int(ev.Size)))
			}
			return pds.Allow()
		},
		OnCommit: func(ev pds.CommitEvent) {
			_ = pds.KVPut("commit/"+itoa(int(ev.Seq)), []byte(ev.Repo+" "+ev.Ops[0].Action+" "+ev.Ops[0].Path))
		},
	})
}

func reject(msg string) pds.Decision { return pds.Reject("Test", msg) }

func before(ev pds.RecordEvent) pds.Decision {
	switch ev.Collection {
	case "test.version":
		return reject("v" + version)
	case "test.slow":
		// Say it started (the test waits for the file), then take a while.
		_ = os.WriteFile("/data/slow-started", nil, 0o600)
		time.Sleep(300 * time.Millisecond)
		return reject("v" + version)
	case "test.loop":
		for {
		}
	case "test.bomb":
		var keep [][]byte
		for {
			keep = append(keep, make([]byte, 16<<20))
		}
	case "test.trap":
		var m map[string]int
		m["x"] = 1
	case "test.file":
		return reject(readFile(ev.Record.Text("path")))
	case "test.writefile":
		err := os.WriteFile("/data/hello.txt", []byte("hi"), 0o600)
		if err != nil {
			return reject("write: " + err.Error())
		}
		b, err := os.ReadFile("/data/hello.txt")
		return reject("read: " + string(b) + errText(err))
	case "test.fetch":
		resp, err := pds.Fetch(pds.HTTPRequest{Method: "GET", URL: ev.Record.Text("url")})
		if err != nil {
			return reject("fetch error: " + err.Error())
		}
		return reject("fetched: " + string(resp.Body) + " (etag " + resp.Header("etag") + ")")
	case "test.kv":
		n := 0
		for i := 0; i < 1000; i++ {
			if err := pds.KVPut("key"+string(rune('a'+i%26))+strings.Repeat("x", i), make([]byte, 512)); err != nil {
				return reject("kv error after " + itoa(n) + ": " + err.Error())
			}
			n++
		}
		return reject("kv wrote " + itoa(n))
	case "test.kvread":
		v, err := pds.KVGet(ev.Record.Text("key"))
		return reject("kv: " + string(v) + errText(err))
	case "test.record":
		e, err := pds.GetRecord(ev.Repo, ev.Record.Text("collection"), ev.Record.Text("rkey"))
		if err != nil {
			return reject("record error: " + err.Error())
		}
		return reject("record: " + e.Record.Text("text"))
	case "test.blob":
		// Read the blob in 3-byte chunks, as a plugin with little memory would.
		var all []byte
		for off := 0; ; off += 3 {
			b, err := pds.ReadBlob(ev.Repo, ev.Record.Text("cid"), off, 3)
			if err != nil {
				return reject("blob error: " + err.Error())
			}
			if len(b) == 0 {
				break
			}
			all = append(all, b...)
		}
		return reject("blob: " + string(all))
	case "test.export":
		var n int
		for off := 0; ; {
			b, err := pds.ExportRepo(ev.Repo, "", off, 4)
			if err != nil {
				return reject("export error: " + err.Error())
			}
			if len(b) == 0 {
				break
			}
			n, off = n+len(b), off+len(b)
		}
		return reject("export: " + itoa(n) + " bytes")
	case "test.cursor":
		if err := pds.SetFirehoseCursor(42); err != nil {
			return reject("cursor error: " + err.Error())
		}
		c, err := pds.FirehoseCursor()
		return reject("cursor: " + itoa(int(c)) + errText(err))
	case "test.clock":
		var b [16]byte
		_, _ = rand.Read(b[:])
		return reject("clock: " + strconv.FormatInt(time.Now().Unix(), 10) + " rand: " + hex.EncodeToString(b[:]))
	case "test.config":
		v, err := pds.Config(ev.Record.Text("key"))
		return reject("config: " + v + errText(err))
	case "test.reject":
		return pds.Reject("ContentRejected", "no "+ev.Record.Text("text"))
	case "test.replace":
		rec, err := ev.Record.Decode()
		if err != nil {
			return reject(err.Error())
		}
		rec["text"] = strings.ToUpper(rec["text"].(string))
		out, err := pds.EncodeRecord(rec)
		if err != nil {
			return reject(err.Error())
		}
		return pds.Replace(out)
	}
	return pds.Allow()
}

func after(ev pds.RecordEvent) {
	_ = pds.KVPut("after/"+ev.RKey, []byte(ev.Record.Text("text")))
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "denied: " + err.Error()
	}
	return "read " + itoa(len(b)) + " bytes"
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return " error: " + err.Error()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
