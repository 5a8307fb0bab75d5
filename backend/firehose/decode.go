package firehose

import (
	"bytes"
	"fmt"
	"io"

	cbg "github.com/whyrusleeping/cbor-gen"
)

// Header is a decoded frame header.
type Header struct {
	Op   int64  // 1 for a message, -1 for an error
	Type string // "#commit", ... ("" on error frames)
}

// DecodeFrame splits a frame into its header and the encoded body.
func DecodeFrame(frame []byte) (Header, []byte, error) {
	r := bytes.NewReader(frame)
	cr := cbg.NewCborReader(r)
	maj, n, err := cr.ReadHeader()
	if err != nil || maj != cbg.MajMap {
		return Header{}, nil, fmt.Errorf("firehose: frame header is not a map")
	}
	var h Header
	for i := uint64(0); i < n; i++ {
		key, err := cbg.ReadString(cr)
		if err != nil {
			return Header{}, nil, fmt.Errorf("firehose: frame header key: %w", err)
		}
		if err := readHeaderField(cr, key, &h); err != nil {
			return Header{}, nil, err
		}
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return Header{}, nil, err
	}
	return h, body, nil
}

func readHeaderField(cr *cbg.CborReader, key string, h *Header) error {
	switch key {
	case "t":
		s, err := cbg.ReadString(cr)
		if err != nil {
			return fmt.Errorf("firehose: frame header t: %w", err)
		}
		h.Type = s
	case "op":
		maj, v, err := cr.ReadHeader()
		if err != nil {
			return fmt.Errorf("firehose: frame header op: %w", err)
		}
		switch maj {
		case cbg.MajUnsignedInt:
			h.Op = int64(v)
		case cbg.MajNegativeInt:
			h.Op = -int64(v) - 1
		default:
			return fmt.Errorf("firehose: frame header op is not an integer")
		}
	default:
		return fmt.Errorf("firehose: unexpected frame header key %q", key)
	}
	return nil
}
