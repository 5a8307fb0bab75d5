package pdsplugin

import (
	"encoding/binary"
	"errors"
	"sort"
)

// EncodeRecord encodes a record as DAG-CBOR (map keys sorted by length, then
// bytes), for a before-hook that replaces the record. Values may be the
// types Decode produces, plus int and string slices.
func EncodeRecord(rec map[string]any) (Record, error) {
	return appendValue(nil, rec, 0)
}

func appendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= 0xff:
		return append(b, m|24, byte(arg))
	case arg <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(arg))
	case arg <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), arg)
}

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > 64 {
		return nil, errors.New("pdsplugin: record nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		return append(b, 0xf6), nil
	case bool:
		if x {
			return append(b, 0xf5), nil
		}
		return append(b, 0xf4), nil
	case int:
		return appendValue(b, int64(x), depth)
	case int64:
		if x < 0 {
			return appendHead(b, 1, uint64(-1-x)), nil
		}
		return appendHead(b, 0, uint64(x)), nil
	case string:
		return append(appendHead(b, 3, uint64(len(x))), x...), nil
	case []byte:
		return append(appendHead(b, 2, uint64(len(x))), x...), nil
	case Link:
		b = appendHead(b, 6, 42)
		b = appendHead(b, 2, uint64(len(x)+1))
		return append(append(b, 0), x...), nil
	case []string:
		b = appendHead(b, 4, uint64(len(x)))
		for _, s := range x {
			b = append(appendHead(b, 3, uint64(len(s))), s...)
		}
		return b, nil
	case []any:
		b = appendHead(b, 4, uint64(len(x)))
		var err error
		for _, e := range x {
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if len(keys[i]) != len(keys[j]) {
				return len(keys[i]) < len(keys[j])
			}
			return keys[i] < keys[j]
		})
		b = appendHead(b, 5, uint64(len(x)))
		var err error
		for _, k := range keys {
			b = append(appendHead(b, 3, uint64(len(k))), k...)
			if b, err = appendValue(b, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, errors.New("pdsplugin: value of unsupported type in record")
}
