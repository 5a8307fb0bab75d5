package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
	"io"

	"github.com/tetratelabs/wazero/api"
)

// ErrNotFound is returned by Records, Blobs and KV for what does not exist.
var ErrNotFound = errors.New("not found")

// ErrDenied is a capability refusal.
var ErrDenied = errors.New("capability not granted")

// RecordEntry is one record handed to a plugin.
type RecordEntry struct {
	Collection, RKey, CID string
	CBOR                  []byte // DAG-CBOR
}

// Records reads records for record_get/record_list. The server implements
// it; it must never return private records.
type Records interface {
	GetRecord(ctx context.Context, did, collection, rkey string) (RecordEntry, error)
	ListRecords(ctx context.Context, did, collection, cursor string, limit int) ([]RecordEntry, error)
}

// Blobs reads blob bytes by range for blob_read.
type Blobs interface {
	ReadBlob(ctx context.Context, did, cid string, offset, length int64) ([]byte, error)
}

// Repos writes a repo's CAR export (since a rev, or all of it) for repo_export.
type Repos interface {
	ExportCAR(ctx context.Context, did, since string, w io.Writer) error
}

// maxChunk caps one blob_read or repo_export answer.
const maxChunk = 1 << 20

func entryMessage(e RecordEntry) Message {
	return Message(nil).AddString(wire.TagCollection, e.Collection).AddString(wire.TagRKey, e.RKey).
		AddString(wire.TagCID, e.CID).Add(wire.TagRecord, e.CBOR)
}

func (mc *machine) mayRead(collection string) error {
	c, ok := mc.p.grantedCap(CapRecordRead)
	if !ok || !matchAny(c.Collections, collection) {
		return fmt.Errorf("%w: record:read does not cover %q", ErrDenied, collection)
	}
	return nil
}

// recordArgs reads a record_get or record_list request: its message, its
// collection (checked against record:read) and the host's record source.
func recordArgs(mc *machine, mem api.Memory, s []uint64) (Message, string, Records, error) {
	b, ok := readArg(mem, s[0], s[1])
	if !ok {
		return nil, "", nil, errBadArgs
	}
	m := Message(b)
	coll := m.String(wire.TagCollection)
	if err := mc.mayRead(coll); err != nil {
		return nil, "", nil, err
	}
	src := mc.p.host.opts.Records
	if src == nil {
		return nil, "", nil, errors.New("records are not available on this host")
	}
	return m, coll, src, nil
}

func hostRecordGet(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	m, coll, src, err := recordArgs(mc, mem, s)
	if err != nil {
		return failed(err)
	}
	e, err := src.GetRecord(ctx, m.String(wire.TagRepo), coll, m.String(wire.TagRKey))
	if err != nil {
		return failed(err)
	}
	return statusOK, entryMessage(e)
}

func hostRecordList(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	m, coll, src, err := recordArgs(mc, mem, s)
	if err != nil {
		return failed(err)
	}
	limit := int(min(m.Uint(wire.TagLimit), 100))
	if limit == 0 {
		limit = 50
	}
	list, err := src.ListRecords(ctx, m.String(wire.TagRepo), coll, m.String(wire.TagCursor), limit)
	if err != nil {
		return failed(err)
	}
	var out Message
	for _, e := range list {
		out = out.Add(wire.TagEntry, entryMessage(e))
	}
	return statusOK, out
}

func chunkArgs(m Message) (offset, length int64) {
	length = int64(min(m.Uint(wire.TagLength), maxChunk))
	if length == 0 {
		length = 64 << 10
	}
	return int64(min(m.Uint(wire.TagOffset), 1<<62)), length
}

func hostBlobRead(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	b, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	m := Message(b)
	src := mc.p.host.opts.Blobs
	if src == nil {
		return failed(errors.New("blobs are not available on this host"))
	}
	off, n := chunkArgs(m)
	data, err := src.ReadBlob(ctx, m.String(wire.TagRepo), m.String(wire.TagCID), off, n)
	if err != nil {
		return failed(err)
	}
	return statusOK, data
}

// hostRepoExport answers a chunk of the CAR export. The whole export is
// built once per (repo, since) and kept on the instance until read to the
// end, so a backup plugin can page through it with a small memory.
func hostRepoExport(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	b, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	m := Message(b)
	src := mc.p.host.opts.Repos
	if src == nil {
		return failed(errors.New("repo export is not available on this host"))
	}
	key := m.String(wire.TagRepo) + "\x00" + m.String(wire.TagSince)
	off, n := chunkArgs(m)
	if mc.export.key != key || off == 0 {
		var buf bytes.Buffer
		if err := src.ExportCAR(ctx, m.String(wire.TagRepo), m.String(wire.TagSince), &buf); err != nil {
			return failed(err)
		}
		mc.export.key, mc.export.data = key, buf.Bytes()
	}
	data := mc.export.data
	if off >= int64(len(data)) {
		mc.export.key, mc.export.data = "", nil
		return statusOK, nil
	}
	end := min(off+n, int64(len(data)))
	return statusOK, data[off:end]
}
