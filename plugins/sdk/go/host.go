//go:build wasip1

package pdsplugin

import (
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
	"strconv"
)

//go:wasmimport pds log
func hostLog(level uint32, ptr, size uint32)

//go:wasmimport pds config_get
func hostConfigGet(kptr, klen uint32) uint64

//go:wasmimport pds kv_get
func hostKVGet(kptr, klen uint32) uint64

//go:wasmimport pds kv_put
func hostKVPut(kptr, klen, vptr, vlen uint32) uint64

//go:wasmimport pds kv_delete
func hostKVDelete(kptr, klen uint32) uint64

//go:wasmimport pds kv_list
func hostKVList(mptr, mlen uint32) uint64

//go:wasmimport pds http_fetch
func hostHTTPFetch(mptr, mlen uint32) uint64

//go:wasmimport pds record_get
func hostRecordGet(mptr, mlen uint32) uint64

//go:wasmimport pds record_list
func hostRecordList(mptr, mlen uint32) uint64

//go:wasmimport pds blob_read
func hostBlobRead(mptr, mlen uint32) uint64

//go:wasmimport pds repo_export
func hostRepoExport(mptr, mlen uint32) uint64

//go:wasmimport pds firehose_cursor_get
func hostCursorGet() uint64

//go:wasmimport pds firehose_cursor_set
func hostCursorSet(seq uint64) uint64

// take turns a host answer into its result bytes or an error.
func take(ans uint64) ([]byte, error) {
	status, n := uint32(ans>>32), int32(uint32(ans))
	b := fetchResult(n)
	return b, statusErr(status, b)
}

func callMsg(fn func(uint32, uint32) uint64, m Message) ([]byte, error) {
	return take(fn(ptrOf(m), uint32(len(m))))
}

// Log writes a line to the host's log, attributed to the plugin.
func Log(level int, msg string) { hostLog(uint32(level), strPtr(msg), uint32(len(msg))) }

// Config returns the operator's configuration value for key, as the JSON
// text of the value (a string value is returned unquoted).
func Config(key string) (string, error) {
	b, err := take(hostConfigGet(strPtr(key), uint32(len(key))))
	return string(b), err
}

// KVGet reads key from the plugin's namespace (capability kv:read).
func KVGet(key string) ([]byte, error) { return take(hostKVGet(strPtr(key), uint32(len(key)))) }

// KVPut writes key (capability kv:write); ErrQuota past the plugin's quota.
func KVPut(key string, value []byte) error {
	_, err := take(hostKVPut(strPtr(key), uint32(len(key)), ptrOf(value), uint32(len(value))))
	return err
}

// KVDelete removes key (capability kv:write).
func KVDelete(key string) error {
	_, err := take(hostKVDelete(strPtr(key), uint32(len(key))))
	return err
}

// KVList lists up to limit keys with prefix, after the key after.
func KVList(prefix, after string, limit int) ([]string, error) {
	m := Message(nil).AddString(wire.TagKey, prefix).AddString(wire.TagCursor, after).AddUint(wire.TagLimit, uint64(limit))
	b, err := callMsg(hostKVList, m)
	if err != nil {
		return nil, err
	}
	var keys []string
	err = Message(b).Each(func(tag byte, v []byte) error {
		if tag == wire.TagKey {
			keys = append(keys, string(v))
		}
		return nil
	})
	return keys, err
}

// Fetch makes an HTTP request through the host, which enforces the
// plugin's host allowlist on every redirect and caps time and size.
func Fetch(req HTTPRequest) (*HTTPResponse, error) {
	m := Message(nil).AddString(wire.TagMethod, req.Method).AddString(wire.TagURL, req.URL).Add(wire.TagBody, req.Body)
	for k, v := range req.Headers {
		m = m.AddString(wire.TagHeader, k+": "+v)
	}
	b, err := callMsg(hostHTTPFetch, m)
	if err != nil {
		return nil, err
	}
	body, _ := Message(b).Get(wire.TagBody)
	res := &HTTPResponse{Status: int(Message(b).Uint(wire.TagStatus)), Body: body}
	_ = Message(b).Each(func(tag byte, v []byte) error {
		if tag == wire.TagHeader {
			res.Headers = append(res.Headers, string(v))
		}
		return nil
	})
	return res, nil
}

func entryOf(m Message) RecordEntry {
	rec, _ := m.Get(wire.TagRecord)
	return RecordEntry{Collection: m.String(wire.TagCollection), RKey: m.String(wire.TagRKey), CID: m.String(wire.TagCID), Record: rec}
}

// GetRecord reads one record (capability record:read for its collection).
func GetRecord(repo, collection, rkey string) (*RecordEntry, error) {
	m := Message(nil).AddString(wire.TagRepo, repo).AddString(wire.TagCollection, collection).AddString(wire.TagRKey, rkey)
	b, err := callMsg(hostRecordGet, m)
	if err != nil {
		return nil, err
	}
	e := entryOf(b)
	return &e, nil
}

// ListRecords lists a collection's records after cursor (an rkey).
func ListRecords(repo, collection, cursor string, limit int) ([]RecordEntry, error) {
	m := Message(nil).AddString(wire.TagRepo, repo).AddString(wire.TagCollection, collection).
		AddString(wire.TagCursor, cursor).AddUint(wire.TagLimit, uint64(limit))
	b, err := callMsg(hostRecordList, m)
	if err != nil {
		return nil, err
	}
	var out []RecordEntry
	err = Message(b).Each(func(tag byte, v []byte) error {
		if tag == wire.TagEntry {
			out = append(out, entryOf(v))
		}
		return nil
	})
	return out, err
}

// ReadBlob reads up to length bytes of a blob from offset (capability
// blob:read); a short or empty answer means the end of the blob.
func ReadBlob(repo, cid string, offset, length int) ([]byte, error) {
	m := Message(nil).AddString(wire.TagRepo, repo).AddString(wire.TagCID, cid).
		AddUint(wire.TagOffset, uint64(offset)).AddUint(wire.TagLength, uint64(length))
	return callMsg(hostBlobRead, m)
}

// ExportRepo reads up to length bytes of the repo's CAR export (since a
// rev, or all of it) from offset (capability repo:export).
func ExportRepo(repo, since string, offset, length int) ([]byte, error) {
	m := Message(nil).AddString(wire.TagRepo, repo).AddString(wire.TagSince, since).
		AddUint(wire.TagOffset, uint64(offset)).AddUint(wire.TagLength, uint64(length))
	return callMsg(hostRepoExport, m)
}

// FirehoseCursor returns the plugin's saved firehose cursor (capability
// firehose:subscribe).
func FirehoseCursor() (int64, error) {
	b, err := take(hostCursorGet())
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// SetFirehoseCursor saves the plugin's firehose cursor.
func SetFirehoseCursor(seq int64) error {
	_, err := take(hostCursorSet(uint64(seq)))
	return err
}
