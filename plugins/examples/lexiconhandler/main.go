// Command lexiconhandler is an example plugin that serves its own XRPC
// methods under its own NSIDs, described by the lexicons it bundles:
// dev.hearthpds.example.notes.put stores a note for the signed-in caller
// and dev.hearthpds.example.notes.list pages through the caller's notes,
// oldest first. The host checks every call against those lexicons before
// the plugin runs (HTTP method, parameters, input) and every answer after
// (output), so the handlers below only deal with valid requests.
package main

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

// The methods the plugin serves (lexicons/dev/hearthpds/example/notes/).
const (
	nsidPut  = "dev.hearthpds.example.notes.put"
	nsidList = "dev.hearthpds.example.notes.list"
)

const (
	defaultLimit = 50
	maxLimit     = 100
	// keyDigits is the width of a note's key: its creation time in unix
	// nanoseconds, zero-padded so keys sort by time.
	keyDigits = 20
)

func init() {
	pds.Register(pds.Plugin{XRPCHandle: handle})
}

// note is one stored note (the kv value, and an item of list's output).
type note struct {
	Key       string   `json:"key"`
	Text      string   `json:"text"`
	Tags      []string `json:"tags,omitempty"`
	CreatedAt string   `json:"createdAt"`
}

func handle(r pds.XRPCRequest) pds.XRPCResponse {
	if r.Auth == "" {
		return failure(401, "AuthRequired", "notes belong to an account: sign in")
	}
	switch r.NSID {
	case nsidPut:
		return put(r.Auth, r.Body)
	case nsidList:
		return list(r.Auth, r.Params)
	}
	return failure(501, "MethodNotImplemented", "Method Not Implemented: "+r.NSID)
}

// prefix is the kv prefix of an account's notes.
func prefix(did string) string { return "note/" + did + "/" }

// lastKey keeps keys unique within the instance (calls are serialized).
var lastKey int64

// newKey returns a key sortable by time, later than every key before it.
func newKey(t time.Time) string {
	n := max(t.UnixNano(), lastKey+1)
	lastKey = n
	s := strconv.FormatInt(n, 10)
	for len(s) < keyDigits {
		s = "0" + s
	}
	return s
}

func put(did string, body []byte) pds.XRPCResponse {
	var in struct {
		Text string   `json:"text"`
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return failure(400, "InvalidRequest", "input: "+err.Error())
	}
	now := time.Now().UTC()
	n := note{Key: newKey(now), Text: in.Text, Tags: in.Tags, CreatedAt: now.Format("2006-01-02T15:04:05.000Z")}
	value, err := json.Marshal(n)
	if err != nil {
		return failure(500, "InternalServerError", err.Error())
	}
	if err := pds.KVPut(prefix(did)+n.Key, value); errors.Is(err, pds.ErrQuota) {
		return failure(400, "QuotaExceeded", "the notes storage is full")
	} else if err != nil {
		return failure(500, "InternalServerError", "storing the note: "+err.Error())
	}
	if v, _ := pds.Config("bad_output"); v == "true" {
		return answer(map[string]any{"key": 42, "createdAt": n.CreatedAt})
	}
	return answer(map[string]string{"key": n.Key, "createdAt": n.CreatedAt})
}

func list(did, params string) pds.XRPCResponse {
	q, _ := url.ParseQuery(params)
	limit := defaultLimit
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = min(max(n, 1), maxLimit)
	}
	after := ""
	if c := q.Get("cursor"); c != "" {
		after = prefix(did) + c
	}
	// One key more than the page tells whether another page follows.
	keys, err := pds.KVList(prefix(did), after, limit+1)
	if err != nil {
		return failure(500, "InternalServerError", "listing notes: "+err.Error())
	}
	out := struct {
		Notes  []note `json:"notes"`
		Cursor string `json:"cursor,omitempty"`
	}{Notes: []note{}}
	for i, k := range keys {
		if i == limit {
			out.Cursor = out.Notes[len(out.Notes)-1].Key
			break
		}
		n, err := load(k)
		if err != nil {
			return failure(500, "InternalServerError", "reading "+k+": "+err.Error())
		}
		out.Notes = append(out.Notes, n)
	}
	return answer(out)
}

func load(key string) (note, error) {
	var n note
	b, err := pds.KVGet(key)
	if err != nil {
		return n, err
	}
	err = json.Unmarshal(b, &n)
	return n, err
}

func answer(v any) pds.XRPCResponse {
	b, err := json.Marshal(v)
	if err != nil {
		return failure(500, "InternalServerError", err.Error())
	}
	return pds.XRPCResponse{Status: 200, Encoding: "application/json", Body: b}
}

// failure is an XRPC error answer.
func failure(status int, name, msg string) pds.XRPCResponse {
	b, _ := json.Marshal(map[string]string{"error": name, "message": msg})
	return pds.XRPCResponse{Status: status, Encoding: "application/json", Body: b}
}
