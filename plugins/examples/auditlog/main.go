// Command auditlog is an example plugin that records every record write
// (record.after_create/update/delete) and every XRPC call (xrpc.after) in
// its kv, and serves the log through its own query,
// dev.hearthpds.example.audit.list, described by the lexicon it bundles.
//
// Entries are keyed "e/<unix nanoseconds, 20 digits>/<account>", so they
// sort by time and carry the account they concern (the repo written to, or
// the caller; "-" for anonymous calls) for the repo filter. The log keeps
// at most max_entries entries, deleting the oldest; when the kv quota is
// full it deletes the oldest tenth and tries once more. A hook never fails
// a write: after-hooks run once the write is done, and the plugin logs what
// it could not record.
package main

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

const (
	nsidList     = "dev.hearthpds.example.audit.list"
	ownNSIDs     = "dev.hearthpds.example.audit."
	entryPrefix  = "e/"
	timeDigits   = 20
	defaultLimit = 50
	maxLimit     = 100
	// scanBudget bounds the keys one filtered page reads; a page may come
	// back short, with a cursor to go on from.
	scanBudget = 5000
	scanBatch  = 200
	defaultMax = 2000
)

func init() {
	pds.Register(pds.Plugin{AfterRecord: recordWrite, XRPCAfter: xrpcCall, XRPCHandle: handle})
}

// entry is one line of the log (the kv value, and an item of list's output).
type entry struct {
	Key        string `json:"key,omitempty"` // output only
	Time       string `json:"time"`
	Kind       string `json:"kind"` // record | xrpc
	Action     string `json:"action,omitempty"`
	Repo       string `json:"repo,omitempty"`
	Collection string `json:"collection,omitempty"`
	RKey       string `json:"rkey,omitempty"`
	CID        string `json:"cid,omitempty"`
	Actor      string `json:"actor,omitempty"`
	NSID       string `json:"nsid,omitempty"`
	Method     string `json:"method,omitempty"`
	Caller     string `json:"caller,omitempty"`
	Status     int    `json:"status,omitempty"`
}

func recordWrite(ev pds.RecordEvent) {
	record(ev.Repo, entry{Kind: "record", Action: ev.Action, Repo: ev.Repo, Collection: ev.Collection,
		RKey: ev.RKey, CID: ev.CID, Actor: ev.Actor})
}

func xrpcCall(ev pds.XRPCEvent) {
	if strings.HasPrefix(ev.NSID, ownNSIDs) {
		return // reading the log does not grow it
	}
	record(ev.Caller, entry{Kind: "xrpc", NSID: ev.NSID, Method: ev.Method, Caller: ev.Caller, Status: ev.Status})
}

// The instance's state (calls are serialized): the last key's time, to
// keep keys unique and increasing, and the number of entries (-1: not
// counted yet in this instance).
var (
	lastNanos int64
	count     = -1
)

func newKey(account string, t time.Time) string {
	n := max(t.UnixNano(), lastNanos+1)
	lastNanos = n
	s := strconv.FormatInt(n, 10)
	for len(s) < timeDigits {
		s = "0" + s
	}
	if account == "" {
		account = "-"
	}
	return entryPrefix + s + "/" + account
}

// record appends e to the log and applies the retention.
func record(account string, e entry) {
	now := time.Now().UTC()
	e.Time = now.Format("2006-01-02T15:04:05.000Z")
	value, err := json.Marshal(e)
	if err != nil {
		pds.Log(pds.LevelError, "audit entry: "+err.Error())
		return
	}
	if err := ensureCounted(); err != nil {
		pds.Log(pds.LevelError, "counting audit entries: "+err.Error())
		return
	}
	key := newKey(account, now)
	err = pds.KVPut(key, value)
	for errors.Is(err, pds.ErrQuota) && trim(max(1, count/10)) > 0 {
		err = pds.KVPut(key, value)
	}
	if err != nil {
		pds.Log(pds.LevelWarn, "audit entry not recorded: "+err.Error())
		return
	}
	count++
	if limit := maxEntries(); count > limit {
		trim(count - limit)
	}
}

func maxEntries() int {
	v, err := pds.Config("max_entries")
	if n, perr := strconv.Atoi(v); err == nil && perr == nil && n > 0 {
		return n
	}
	return defaultMax
}

// ensureCounted counts the entries once per instance.
func ensureCounted() error {
	if count >= 0 {
		return nil
	}
	n, after := 0, ""
	for {
		keys, err := pds.KVList(entryPrefix, after, 1000)
		if err != nil {
			return err
		}
		n += len(keys)
		if len(keys) < 1000 {
			count = n
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// trim deletes the n oldest entries and returns how many it deleted.
func trim(n int) int {
	keys, err := pds.KVList(entryPrefix, "", n)
	if err != nil {
		pds.Log(pds.LevelWarn, "audit retention: "+err.Error())
		return 0
	}
	for i, k := range keys {
		if err := pds.KVDelete(k); err != nil {
			pds.Log(pds.LevelWarn, "audit retention: "+err.Error())
			return i
		}
		count--
	}
	return len(keys)
}

func handle(r pds.XRPCRequest) pds.XRPCResponse {
	if r.NSID != nsidList {
		return failure(501, "MethodNotImplemented", "Method Not Implemented: "+r.NSID)
	}
	if r.Auth == "" {
		return failure(401, "AuthRequired", "the audit log is for its owner and account holders: sign in")
	}
	q, _ := url.ParseQuery(r.Params)
	repo := q.Get("repo")
	if owner, _ := pds.Config("owner"); owner == "" || r.Auth != owner {
		if repo != "" && repo != r.Auth {
			return failure(403, "Forbidden", "only the owner reads other repos' entries")
		}
		repo = r.Auth
	}
	limit := defaultLimit
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = min(max(n, 1), maxLimit)
	}
	out, err := page(repo, q.Get("cursor"), limit)
	if err != nil {
		return failure(500, "InternalServerError", "reading the log: "+err.Error())
	}
	b, err := json.Marshal(out)
	if err != nil {
		return failure(500, "InternalServerError", err.Error())
	}
	return pds.XRPCResponse{Status: 200, Encoding: "application/json", Body: b}
}

type listOutput struct {
	Entries []entry `json:"entries"`
	Cursor  string  `json:"cursor,omitempty"`
}

// page returns up to limit entries after cursor, oldest first, of repo
// ("": all). The cursor comes back when the page is full or the scan
// budget ran out.
func page(repo, cursor string, limit int) (listOutput, error) {
	out := listOutput{Entries: []entry{}}
	after := ""
	if cursor != "" {
		after = entryPrefix + cursor
	}
	for scanned := 0; scanned < scanBudget; {
		keys, err := pds.KVList(entryPrefix, after, scanBatch)
		if err != nil {
			return out, err
		}
		for _, k := range keys {
			after = k
			if repo != "" && !strings.HasSuffix(k, "/"+repo) {
				continue
			}
			e, err := load(k)
			if errors.Is(err, pds.ErrNotFound) {
				continue // trimmed meanwhile
			} else if err != nil {
				return out, err
			}
			out.Entries = append(out.Entries, e)
			if len(out.Entries) == limit {
				out.Cursor = e.Key
				return out, nil
			}
		}
		if len(keys) < scanBatch {
			return out, nil
		}
		scanned += len(keys)
	}
	out.Cursor = strings.TrimPrefix(after, entryPrefix)
	return out, nil
}

func load(key string) (entry, error) {
	var e entry
	b, err := pds.KVGet(key)
	if err != nil {
		return e, err
	}
	err = json.Unmarshal(b, &e)
	e.Key = strings.TrimPrefix(key, entryPrefix)
	return e, err
}

// failure is an XRPC error answer.
func failure(status int, name, msg string) pds.XRPCResponse {
	b, _ := json.Marshal(map[string]string{"error": name, "message": msg})
	return pds.XRPCResponse{Status: status, Encoding: "application/json", Body: b}
}
