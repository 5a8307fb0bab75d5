package xrpc

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// Records are stored as DAG-CBOR and served as JSON. Decoding a record into
// a map and encoding the map again was a tenth of a getRecord's CPU; the
// functions here transcode the block straight into the response instead.
// A block they do not understand (which the write path never stores) makes
// them fail, and the caller falls back to the decoder (toRecordOut).

// jsonContentType is the Content-Type header of JSON responses, shared by
// every response that sets it directly (net/http does not modify it).
var jsonContentType = []string{"application/json; charset=utf-8"}

// rawJSON is a handler result that is already JSON; the router writes it
// as it is.
type rawJSON []byte

// MarshalJSON returns the bytes as they are.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// maxCBORDepth bounds the nesting the transcoder follows.
const maxCBORDepth = 64

var errCBOR = errors.New("not a DAG-CBOR value the transcoder handles")

// appendRecordJSON appends {"uri":…,"cid":…,"value":…} for a record of the
// repo did. DIDs, NSIDs and record keys have no characters that need
// escaping in JSON, so they are copied as they are.
func appendRecordJSON(dst []byte, did string, r store.Record) ([]byte, error) {
	dst = append(dst, `{"uri":"at://`...)
	dst = append(dst, did...)
	dst = append(dst, '/')
	dst = append(dst, r.Collection...)
	dst = append(dst, '/')
	dst = append(dst, r.RKey...)
	dst = append(dst, `","cid":"`...)
	dst = appendCID(dst, r.CID)
	dst = append(dst, `","value":`...)
	dst, rest, err := appendCBORJSON(dst, r.Value, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the value", errCBOR, len(rest))
	}
	return append(dst, '}'), nil
}

// cborHead reads a CBOR item head: major type and argument. DAG-CBOR
// forbids indefinite lengths, so they are refused.
func cborHead(src []byte) (major byte, arg uint64, rest []byte, err error) {
	if len(src) == 0 {
		return 0, 0, nil, errCBOR
	}
	major, info := src[0]>>5, src[0]&0x1f
	src = src[1:]
	switch {
	case info < 24:
		return major, uint64(info), src, nil
	case info == 24 && len(src) >= 1:
		return major, uint64(src[0]), src[1:], nil
	case info == 25 && len(src) >= 2:
		return major, uint64(binary.BigEndian.Uint16(src)), src[2:], nil
	case info == 26 && len(src) >= 4:
		return major, uint64(binary.BigEndian.Uint32(src)), src[4:], nil
	case info == 27 && len(src) >= 8:
		return major, binary.BigEndian.Uint64(src), src[8:], nil
	}
	return 0, 0, nil, errCBOR
}

// appendCBORJSON appends the atproto JSON form of the first DAG-CBOR value
// of src and returns the bytes after it: bytes become {"$bytes":…}, CID
// links (tag 42) {"$link":…}; floats, other tags and simple values other
// than true, false and null are refused.
func appendCBORJSON(dst, src []byte, depth int) ([]byte, []byte, error) {
	if depth > maxCBORDepth {
		return nil, nil, fmt.Errorf("%w: nested too deeply", errCBOR)
	}
	if len(src) > 0 && src[0]>>5 == 7 {
		switch src[0] {
		case 0xf4:
			return append(dst, "false"...), src[1:], nil
		case 0xf5:
			return append(dst, "true"...), src[1:], nil
		case 0xf6:
			return append(dst, "null"...), src[1:], nil
		}
		return nil, nil, fmt.Errorf("%w: simple value or float 0x%02x", errCBOR, src[0])
	}
	major, arg, src, err := cborHead(src)
	if err != nil {
		return nil, nil, err
	}
	switch major {
	case 0:
		return strconv.AppendUint(dst, arg, 10), src, nil
	case 1:
		if arg > 1<<63-1 {
			return nil, nil, fmt.Errorf("%w: integer out of range", errCBOR)
		}
		return strconv.AppendInt(dst, -1-int64(arg), 10), src, nil
	case 2:
		if arg > uint64(len(src)) {
			return nil, nil, errCBOR
		}
		dst = append(dst, `{"$bytes":"`...)
		dst = base64.RawStdEncoding.AppendEncode(dst, src[:arg])
		return append(dst, `"}`...), src[arg:], nil
	case 3:
		if arg > uint64(len(src)) {
			return nil, nil, errCBOR
		}
		dst, err = appendJSONString(dst, src[:arg])
		return dst, src[arg:], err
	case 4:
		dst = append(dst, '[')
		for i := uint64(0); i < arg; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, src, err = appendCBORJSON(dst, src, depth+1); err != nil {
				return nil, nil, err
			}
		}
		return append(dst, ']'), src, nil
	case 5:
		dst = append(dst, '{')
		for i := uint64(0); i < arg; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			km, klen, rest, err := cborHead(src)
			if err != nil || km != 3 || klen > uint64(len(rest)) {
				return nil, nil, fmt.Errorf("%w: map key is not a string", errCBOR)
			}
			key := rest[:klen]
			if string(key) == "size" && len(rest) > int(klen) && rest[klen]>>5 == 1 {
				// A blob written in the legacy JSON form is stored with
				// size -1; the decoder serves it in that form again.
				return nil, nil, fmt.Errorf("%w: negative size", errCBOR)
			}
			if dst, err = appendJSONString(dst, key); err != nil {
				return nil, nil, err
			}
			dst = append(dst, ':')
			if dst, src, err = appendCBORJSON(dst, rest[klen:], depth+1); err != nil {
				return nil, nil, err
			}
		}
		return append(dst, '}'), src, nil
	case 6:
		return appendLinkJSON(dst, arg, src)
	}
	return nil, nil, errCBOR
}

// appendLinkJSON appends a tag 42 CID link as {"$link":…}.
func appendLinkJSON(dst []byte, tag uint64, src []byte) ([]byte, []byte, error) {
	if tag != 42 {
		return nil, nil, fmt.Errorf("%w: tag %d", errCBOR, tag)
	}
	major, n, src, err := cborHead(src)
	if err != nil || major != 2 || n > uint64(len(src)) || n < 2 || src[0] != 0 {
		return nil, nil, fmt.Errorf("%w: malformed CID link", errCBOR)
	}
	c, err := cid.Cast(src[1:n])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: CID link: %v", errCBOR, err)
	}
	dst = append(dst, `{"$link":"`...)
	dst = appendCID(dst, c)
	return append(dst, `"}`...), src[n:], nil
}

// base32Lower is the multibase "b" alphabet, in which CIDv1 are written.
var base32Lower = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// appendCID appends the string form of c, as c.String() makes it, without
// its intermediate copies.
func appendCID(dst []byte, c cid.Cid) []byte {
	if c.Version() != 1 {
		return append(dst, c.String()...)
	}
	dst = append(dst, 'b')
	return base32Lower.AppendEncode(dst, []byte(c.KeyString()))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. s must be valid UTF-8, as
// DAG-CBOR requires. Like encoding/json it escapes control characters and
// U+2028/U+2029; unlike it, it leaves <, > and & as they are (both are
// valid JSON).
func appendJSONString(dst, s []byte) ([]byte, error) {
	if !utf8.Valid(s) {
		return nil, fmt.Errorf("%w: string is not UTF-8", errCBOR)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), nil
}
