package firehose

import (
	"bytes"
	"fmt"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	cbg "github.com/whyrusleeping/cbor-gen"
)

// Event type names as they appear in the frame header's "t" field.
const (
	TypeCommit   = "#commit"
	TypeSync     = "#sync"
	TypeIdentity = "#identity"
	TypeAccount  = "#account"
	TypeInfo     = "#info"
)

// TimeFormat is the timestamp layout of event bodies (RFC 3339, UTC, ms).
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime renders t as an event timestamp.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// EncodeFrame returns the message frame: header {t, op: 1} followed by body.
func EncodeFrame(typ string, body cbg.CBORMarshaler) ([]byte, error) {
	return EncodeFrameSized(typ, body, 512)
}

// EncodeFrameSized is EncodeFrame with a guess of the frame's size, so
// that a large frame (a #commit carrying its CAR) is not built by growing
// its buffer again and again.
func EncodeFrameSized(typ string, body cbg.CBORMarshaler, size int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(size)
	if err := writeHeader(&buf, 1, typ); err != nil {
		return nil, err
	}
	if err := body.MarshalCBOR(&buf); err != nil {
		return nil, fmt.Errorf("firehose: encode %s body: %w", typ, err)
	}
	return buf.Bytes(), nil
}

// EncodeErrorFrame returns an error frame: header {op: -1} and body
// {error, message}.
func EncodeErrorFrame(name, message string) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeHeader(&buf, -1, ""); err != nil {
		return nil, err
	}
	cw := cbg.NewCborWriter(&buf)
	n := uint64(1)
	if message != "" {
		n = 2
	}
	if err := cw.WriteMajorTypeHeader(cbg.MajMap, n); err != nil {
		return nil, err
	}
	if err := writeString(cw, "error"); err != nil {
		return nil, err
	}
	if err := writeString(cw, name); err != nil {
		return nil, err
	}
	if message != "" {
		if err := writeString(cw, "message"); err != nil {
			return nil, err
		}
		if err := writeString(cw, message); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// writeHeader writes the DAG-CBOR header map. Keys are in canonical order:
// "t" sorts before "op" because shorter keys come first.
func writeHeader(buf *bytes.Buffer, op int64, typ string) error {
	cw := cbg.NewCborWriter(buf)
	n := uint64(1)
	if typ != "" {
		n = 2
	}
	if err := cw.WriteMajorTypeHeader(cbg.MajMap, n); err != nil {
		return err
	}
	if typ != "" {
		if err := writeString(cw, "t"); err != nil {
			return err
		}
		if err := writeString(cw, typ); err != nil {
			return err
		}
	}
	if err := writeString(cw, "op"); err != nil {
		return err
	}
	if op >= 0 {
		return cw.WriteMajorTypeHeader(cbg.MajUnsignedInt, uint64(op))
	}
	return cw.WriteMajorTypeHeader(cbg.MajNegativeInt, uint64(-op-1))
}

func writeString(cw *cbg.CborWriter, s string) error {
	if err := cw.WriteMajorTypeHeader(cbg.MajTextString, uint64(len(s))); err != nil {
		return err
	}
	_, err := cw.WriteString(s)
	return err
}

// Message bodies, re-exported so callers need not import indigo's API
// package for them.
type (
	// Commit is a #commit body.
	Commit = comatproto.SyncSubscribeRepos_Commit
	// RepoOp is one operation of a #commit.
	RepoOp = comatproto.SyncSubscribeRepos_RepoOp
	// Identity is an #identity body.
	Identity = comatproto.SyncSubscribeRepos_Identity
	// Account is an #account body.
	Account = comatproto.SyncSubscribeRepos_Account
	// Sync is a #sync body.
	Sync = comatproto.SyncSubscribeRepos_Sync
	// Info is an #info body.
	Info = comatproto.SyncSubscribeRepos_Info
)
