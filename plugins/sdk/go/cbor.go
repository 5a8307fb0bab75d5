package pdsplugin

import (
	"encoding/binary"
	"errors"
	"math"
	"unicode/utf8"
)

// Record is a record as the host passes it: DAG-CBOR bytes. Its accessors
// read fields without decoding the whole record, which is what keeps a
// content-filter hook cheap; Decode builds the full value when needed.
type Record []byte

// ErrCBOR reports malformed or unsupported CBOR.
var ErrCBOR = errors.New("pdsplugin: malformed CBOR")

// head reads a CBOR item head: major type, argument, bytes consumed.
func head(b []byte) (major byte, arg uint64, n int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, ErrCBOR
	}
	major, info := b[0]>>5, b[0]&0x1f
	switch {
	case info < 24:
		return major, uint64(info), 1, nil
	case info == 24 && len(b) >= 2:
		return major, uint64(b[1]), 2, nil
	case info == 25 && len(b) >= 3:
		return major, uint64(binary.BigEndian.Uint16(b[1:])), 3, nil
	case info == 26 && len(b) >= 5:
		return major, uint64(binary.BigEndian.Uint32(b[1:])), 5, nil
	case info == 27 && len(b) >= 9:
		return major, binary.BigEndian.Uint64(b[1:]), 9, nil
	}
	return 0, 0, 0, ErrCBOR
}

// skip returns the length of the item at the start of b.
func skip(b []byte) (int, error) {
	major, arg, n, err := head(b)
	if err != nil {
		return 0, err
	}
	switch major {
	case 0, 1, 7:
		return n, nil
	case 2, 3:
		if uint64(len(b)-n) < arg {
			return 0, ErrCBOR
		}
		return n + int(arg), nil
	case 4, 5:
		count := arg
		if major == 5 {
			count *= 2
		}
		off := n
		for i := uint64(0); i < count; i++ {
			k, err := skip(b[off:])
			if err != nil {
				return 0, err
			}
			off += k
		}
		return off, nil
	case 6:
		k, err := skip(b[n:])
		return n + k, err
	}
	return 0, ErrCBOR
}

// Field returns the raw CBOR of the top-level map entry key.
func (r Record) Field(key string) ([]byte, bool) {
	major, count, off, err := head(r)
	if err != nil || major != 5 {
		return nil, false
	}
	b := []byte(r)
	for i := uint64(0); i < count; i++ {
		km, kl, kn, err := head(b[off:])
		if err != nil || km != 3 || uint64(len(b)-off-kn) < kl {
			return nil, false
		}
		k := b[off+kn : off+kn+int(kl)]
		off += kn + int(kl)
		vl, err := skip(b[off:])
		if err != nil {
			return nil, false
		}
		if string(k) == key {
			return b[off : off+vl], true
		}
		off += vl
	}
	return nil, false
}

// Text returns the top-level string field key ("" if absent or not a string).
func (r Record) Text(key string) string {
	v, ok := r.Field(key)
	if !ok {
		return ""
	}
	major, l, n, err := head(v)
	if err != nil || major != 3 {
		return ""
	}
	return string(v[n : n+int(l)])
}

// Type returns the record's $type.
func (r Record) Type() string { return r.Text("$type") }

// Decode decodes the whole record: maps become map[string]any, arrays
// []any, integers int64, byte strings []byte, CID links Link.
func (r Record) Decode() (map[string]any, error) {
	v, _, err := decode(r, 0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, ErrCBOR
	}
	return m, nil
}

// Link is a CID link (tag 42), as its raw binary CID.
type Link []byte

func decode(b []byte, depth int) (any, int, error) {
	if depth > 64 {
		return nil, 0, ErrCBOR
	}
	major, arg, n, err := head(b)
	if err != nil {
		return nil, 0, err
	}
	switch major {
	case 0:
		return int64(arg), n, nil
	case 1:
		return -1 - int64(arg), n, nil
	case 2, 3:
		if uint64(len(b)-n) < arg {
			return nil, 0, ErrCBOR
		}
		if major == 3 {
			s := string(b[n : n+int(arg)])
			if !utf8.ValidString(s) {
				return nil, 0, ErrCBOR
			}
			return s, n + int(arg), nil
		}
		return append([]byte(nil), b[n:n+int(arg)]...), n + int(arg), nil
	case 4:
		out := make([]any, 0, min(arg, 1024))
		off := n
		for i := uint64(0); i < arg; i++ {
			v, k, err := decode(b[off:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			out, off = append(out, v), off+k
		}
		return out, off, nil
	case 5:
		out := make(map[string]any, min(arg, 64))
		off := n
		for i := uint64(0); i < arg; i++ {
			k, kl, err := decode(b[off:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, 0, ErrCBOR
			}
			v, vl, err := decode(b[off+kl:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			out[ks] = v
			off += kl + vl
		}
		return out, off, nil
	case 6:
		v, k, err := decode(b[n:], depth+1)
		if err != nil {
			return nil, 0, err
		}
		if bs, ok := v.([]byte); ok && arg == 42 && len(bs) > 0 {
			return Link(bs[1:]), n + k, nil // drop the multibase 0x00 prefix
		}
		return nil, 0, ErrCBOR
	case 7:
		switch arg {
		case 20:
			return false, n, nil
		case 21:
			return true, n, nil
		case 22:
			return nil, n, nil
		}
		if n == 9 {
			return math.Float64frombits(arg), n, nil
		}
	}
	return nil, 0, ErrCBOR
}
