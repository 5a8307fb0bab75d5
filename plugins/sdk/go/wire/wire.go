// Package wire is the message format the Hearth plugin host and its Go
// guests exchange (docs/plugins.md, "Wire format"): one copy, imported by
// the SDK and by backend/plugin.
package wire

import (
	"encoding/binary"
	"errors"
)

// Field tags of the wire format shared with the host (see docs/plugins.md).
// A message is a sequence of fields: tag (1 byte), length (uvarint), bytes.
const (
	TagRepo       = 1
	TagCollection = 2
	TagRKey       = 3
	TagCID        = 4
	TagRecord     = 5 // DAG-CBOR
	TagPrev       = 6 // DAG-CBOR
	TagActor      = 7
	TagAction     = 8
	TagNSID       = 10
	TagMethod     = 11
	TagParams     = 12 // URL query encoding
	TagCaller     = 13
	TagStatus     = 14 // uvarint
	TagBody       = 15
	TagEncoding   = 16
	TagSeq        = 20 // uvarint
	TagRev        = 21
	TagOp         = 22 // nested message: action, path, cid
	TagPath       = 23
	TagMime       = 24
	TagSize       = 25 // uvarint
	TagError      = 30
	TagMessage    = 31
	TagKey        = 40
	TagURL        = 41
	TagHeader     = 42 // "Name: value"
	TagEntry      = 50 // nested message
	TagCursor     = 51
	TagOffset     = 52 // uvarint
	TagLength     = 53 // uvarint
	TagSince      = 54
	TagLimit      = 55 // uvarint
)

// Verdicts: the first byte of a before-hook's answer.
const (
	VerdictAllow   = 0
	VerdictReject  = 1
	VerdictReplace = 2
)

// Message is an encoded wire message.
type Message []byte

// Add appends a field.
func (m Message) Add(tag byte, v []byte) Message {
	m = append(m, tag)
	m = binary.AppendUvarint(m, uint64(len(v)))
	return append(m, v...)
}

// AddString appends a string field.
func (m Message) AddString(tag byte, v string) Message {
	m = append(m, tag)
	m = binary.AppendUvarint(m, uint64(len(v)))
	return append(m, v...)
}

// AddUint appends an unsigned integer field (uvarint bytes).
func (m Message) AddUint(tag byte, v uint64) Message {
	var b [binary.MaxVarintLen64]byte
	return m.Add(tag, b[:binary.PutUvarint(b[:], v)])
}

var errShort = errors.New("wire: truncated message")

// Each calls fn for every field in order; it stops at the first error.
func (m Message) Each(fn func(tag byte, v []byte) error) error {
	for len(m) > 0 {
		tag := m[0]
		n, k := binary.Uvarint(m[1:])
		if k <= 0 || uint64(len(m)-1-k) < n {
			return errShort
		}
		v := m[1+k : 1+k+int(n)]
		m = m[1+k+int(n):]
		if err := fn(tag, v); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the first field with tag.
func (m Message) Get(tag byte) ([]byte, bool) {
	for len(m) > 0 {
		t := m[0]
		n, k := binary.Uvarint(m[1:])
		if k <= 0 || uint64(len(m)-1-k) < n {
			return nil, false
		}
		if t == tag {
			return m[1+k : 1+k+int(n)], true
		}
		m = m[1+k+int(n):]
	}
	return nil, false
}

// String returns the first field with tag as a string ("" if absent).
func (m Message) String(tag byte) string {
	v, _ := m.Get(tag)
	return string(v)
}

// Uint returns the first field with tag as an unsigned integer.
func (m Message) Uint(tag byte) uint64 {
	v, _ := m.Get(tag)
	n, _ := binary.Uvarint(v)
	return n
}
