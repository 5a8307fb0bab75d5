//go:build !wasip1

package pdsplugin

import (
	"sort"
	"strings"
)

// Outside WebAssembly (go test on your machine) the host functions run
// against Fake, an in-memory host, so a plugin's hooks can be unit-tested
// natively: set Fake's fields, call Registered().BeforeRecord(…) directly.

// FakeHost is the in-memory host of native builds.
type FakeHost struct {
	Config  map[string]string // values as config_get returns them
	KV      map[string][]byte
	Records map[string]RecordEntry // by "repo/collection/rkey"
	Blobs   map[string][]byte      // by "repo/cid"
	CAR     []byte
	Cursor  int64
	Logs    []string
	// Fetch answers http fetches; nil refuses them with ErrDenied.
	Fetch func(HTTPRequest) (*HTTPResponse, error)
}

// Fake is the host native builds talk to.
var Fake = &FakeHost{}

// Registered returns the hooks passed to Register (for native tests).
func Registered() Plugin { return registered }

// Log implements the host function natively.
func Log(level int, msg string) { Fake.Logs = append(Fake.Logs, msg) }

// Config implements the host function natively.
func Config(key string) (string, error) {
	v, ok := Fake.Config[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// KVGet implements the host function natively.
func KVGet(key string) ([]byte, error) {
	v, ok := Fake.KV[key]
	if !ok {
		return nil, ErrNotFound
	}
	return v, nil
}

// KVPut implements the host function natively (no quota).
func KVPut(key string, value []byte) error {
	if Fake.KV == nil {
		Fake.KV = map[string][]byte{}
	}
	Fake.KV[key] = append([]byte(nil), value...)
	return nil
}

// KVDelete implements the host function natively.
func KVDelete(key string) error { delete(Fake.KV, key); return nil }

// KVList implements the host function natively.
func KVList(prefix, after string, limit int) ([]string, error) {
	var keys []string
	for k := range Fake.KV {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > limit {
		keys = keys[:limit]
	}
	return keys, nil
}

// Fetch implements the host function natively.
func Fetch(req HTTPRequest) (*HTTPResponse, error) {
	if Fake.Fetch == nil {
		return nil, &HostError{Status: StatusDenied, Message: "http:fetch not granted"}
	}
	return Fake.Fetch(req)
}

// GetRecord implements the host function natively.
func GetRecord(repo, collection, rkey string) (*RecordEntry, error) {
	e, ok := Fake.Records[repo+"/"+collection+"/"+rkey]
	if !ok {
		return nil, ErrNotFound
	}
	return &e, nil
}

// ListRecords implements the host function natively (cursor and limit
// apply to rkeys of the collection).
func ListRecords(repo, collection, cursor string, limit int) ([]RecordEntry, error) {
	var out []RecordEntry
	for k, e := range Fake.Records {
		if strings.HasPrefix(k, repo+"/"+collection+"/") && e.RKey > cursor {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RKey < out[j].RKey })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func chunk(b []byte, offset, length int) []byte {
	if offset >= len(b) {
		return nil
	}
	return b[offset:min(offset+length, len(b))]
}

// ReadBlob implements the host function natively.
func ReadBlob(repo, cid string, offset, length int) ([]byte, error) {
	b, ok := Fake.Blobs[repo+"/"+cid]
	if !ok {
		return nil, ErrNotFound
	}
	return chunk(b, offset, length), nil
}

// ExportRepo implements the host function natively.
func ExportRepo(repo, since string, offset, length int) ([]byte, error) {
	return chunk(Fake.CAR, offset, length), nil
}

// FirehoseCursor implements the host function natively.
func FirehoseCursor() (int64, error) { return Fake.Cursor, nil }

// SetFirehoseCursor implements the host function natively.
func SetFirehoseCursor(seq int64) error { Fake.Cursor = seq; return nil }
