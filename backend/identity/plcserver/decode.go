package plcserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/hearthpds/hearth/backend/identity"
)

// maxOpBytes caps a submitted operation's JSON. The real directory caps
// the DAG-CBOR encoding at 4000 bytes; the field limits of OpData.Validate
// keep a valid operation well under this.
const maxOpBytes = 16 << 10

// wireOp is the strict shape of a submitted operation: unknown fields are
// refused, and pointers tell absent or null fields apart from empty ones.
type wireOp struct {
	Type                string                         `json:"type"`
	RotationKeys        *[]string                      `json:"rotationKeys"`
	VerificationMethods *map[string]string             `json:"verificationMethods"`
	AlsoKnownAs         *[]string                      `json:"alsoKnownAs"`
	Services            *map[string]identity.OpService `json:"services"`
	Prev                *string                        `json:"prev"`
	Sig                 *string                        `json:"sig"`
}

// readOperation reads and strictly decodes a submitted operation, as
// plc.directory's schema check does: only plc_operation and plc_tombstone,
// every field present, nothing extra.
func readOperation(w http.ResponseWriter, r *http.Request) (identity.Operation, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxOpBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return identity.Operation{}, badRequest("Operation too large")
	}
	if err != nil {
		return identity.Operation{}, badRequest("Could not read operation: %v", err)
	}
	if err := checkShape(body); err != nil {
		return identity.Operation{}, badRequest("Not a valid operation: %s: %s", err, excerpt(body))
	}
	var op identity.Operation
	if err := json.Unmarshal(body, &op); err != nil {
		return identity.Operation{}, badRequest("Not a valid operation: %s: %s", err, excerpt(body))
	}
	return op, nil
}

func checkShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var w wireOp
	if err := dec.Decode(&w); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the operation")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return err
	}
	switch w.Type {
	case identity.OpTypeRegular:
		return checkRegular(w, fields)
	case identity.OpTypeTombstone:
		return checkTombstone(w, fields)
	}
	return errors.New(`"type" must be plc_operation or plc_tombstone`)
}

func checkRegular(w wireOp, fields map[string]json.RawMessage) error {
	if w.RotationKeys == nil || w.VerificationMethods == nil || w.AlsoKnownAs == nil || w.Services == nil {
		return errors.New("rotationKeys, verificationMethods, alsoKnownAs and services are required")
	}
	if _, ok := fields["prev"]; !ok {
		return errors.New(`"prev" is required (null for a genesis operation)`)
	}
	if w.Sig == nil {
		return errors.New(`"sig" is required`)
	}
	return nil
}

func checkTombstone(w wireOp, fields map[string]json.RawMessage) error {
	if len(fields) != 3 || w.Prev == nil || w.Sig == nil {
		return errors.New("a tombstone has exactly type, prev and sig")
	}
	return nil
}

// excerpt returns the start of a body for an error message.
func excerpt(b []byte) string {
	const n = 300
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
