package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/did-method-plc/go-didplc"
)

// Operation is one signed did:plc operation: a regular operation (genesis
// or update), a tombstone, or, when read from a directory, a legacy
// "create" operation. The zero value is not a valid operation.
//
// Operation marshals to and from the JSON the PLC directory speaks, so a
// caller can store a signed operation and submit it later.
type Operation struct {
	op didplc.Operation
}

// Operation types, as found in an operation's "type" field.
const (
	OpTypeRegular   = "plc_operation"
	OpTypeTombstone = "plc_tombstone"
	OpTypeLegacy    = "create"
)

// Type returns the operation's "type": OpTypeRegular, OpTypeTombstone or
// OpTypeLegacy; "" for the zero Operation.
func (o Operation) Type() string {
	switch o.op.(type) {
	case *didplc.RegularOp:
		return OpTypeRegular
	case *didplc.TombstoneOp:
		return OpTypeTombstone
	case *didplc.LegacyOp:
		return OpTypeLegacy
	}
	return ""
}

// IsZero reports whether o holds no operation.
func (o Operation) IsZero() bool { return o.op == nil }

// CID returns the CID of the signed operation (the value a following
// operation's prev names).
func (o Operation) CID() string {
	if o.op == nil {
		return ""
	}
	return o.op.CID().String()
}

// Prev returns the CID of the previous operation, or "" for a genesis.
func (o Operation) Prev() string {
	if o.op == nil {
		return ""
	}
	return o.op.PrevCIDStr()
}

// IsGenesis reports whether o creates its DID (it has no prev).
func (o Operation) IsGenesis() bool { return o.op != nil && o.op.IsGenesis() }

// IsTombstone reports whether o deletes its DID.
func (o Operation) IsTombstone() bool {
	_, ok := o.op.(*didplc.TombstoneOp)
	return ok
}

// DID derives the DID a genesis operation creates: "did:plc:" and the first
// 24 characters of the base32 SHA-256 of the signed operation.
func (o Operation) DID() (syntax.DID, error) {
	if o.op == nil {
		return "", fmt.Errorf("%w: empty operation", ErrInvalidOperation)
	}
	s, err := o.op.DID()
	if err != nil {
		return "", fmt.Errorf("derive DID: %w", err)
	}
	return syntax.DID(s), nil
}

// Data returns what the operation says about its DID. A legacy "create"
// operation is translated to the current shape. A tombstone has no data:
// the error matches ErrTombstoned.
func (o Operation) Data() (OpData, error) {
	switch op := o.op.(type) {
	case *didplc.RegularOp:
		return fromRegular(op), nil
	case *didplc.LegacyOp:
		reg := op.RegularOp()
		return fromRegular(&reg), nil
	case *didplc.TombstoneOp:
		return OpData{}, ErrTombstoned
	}
	return OpData{}, fmt.Errorf("%w: empty operation", ErrInvalidOperation)
}

// SignedBy returns the index of the first key in rotationKeys (did:key
// strings) whose signature o carries. An error wrapping
// atcrypto.ErrInvalidSignature means none of them signed it.
func (o Operation) SignedBy(rotationKeys []string) (int, error) {
	if o.op == nil {
		return -1, fmt.Errorf("%w: empty operation", ErrInvalidOperation)
	}
	if !o.op.IsSigned() {
		return -1, fmt.Errorf("%w: operation is not signed", ErrInvalidOperation)
	}
	i, err := didplc.VerifySignatureAny(o.op, rotationKeys)
	if err != nil {
		return -1, fmt.Errorf("verify operation signature: %w", err)
	}
	return i, nil
}

// MarshalJSON encodes the operation as the PLC directory does.
func (o Operation) MarshalJSON() ([]byte, error) {
	if o.op == nil {
		return nil, fmt.Errorf("%w: cannot marshal an empty operation", ErrInvalidOperation)
	}
	return json.Marshal(o.op)
}

// UnmarshalJSON decodes any operation type a directory may return. It is
// lenient about unknown fields; a directory accepting submissions must
// check the shape itself.
func (o *Operation) UnmarshalJSON(b []byte) error {
	var e didplc.OpEnum
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOperation, err)
	}
	op := e.AsOperation()
	if op == nil {
		return fmt.Errorf("%w: no operation in JSON", ErrInvalidOperation)
	}
	o.op = op
	return nil
}

func fromRegular(op *didplc.RegularOp) OpData {
	d := OpData{
		RotationKeys:        op.RotationKeys,
		VerificationMethods: op.VerificationMethods,
		AlsoKnownAs:         op.AlsoKnownAs,
		Services:            map[string]OpService{},
	}
	for id, s := range op.Services {
		d.Services[id] = OpService{Type: s.Type, Endpoint: s.Endpoint}
	}
	return d.Clone()
}

func toRegular(d OpData, prev *string) *didplc.RegularOp {
	d = d.Clone()
	op := &didplc.RegularOp{
		Type:                OpTypeRegular,
		RotationKeys:        d.RotationKeys,
		VerificationMethods: d.VerificationMethods,
		AlsoKnownAs:         d.AlsoKnownAs,
		Services:            map[string]didplc.OpService{},
		Prev:                prev,
	}
	for id, s := range d.Services {
		op.Services[id] = didplc.OpService{Type: s.Type, Endpoint: s.Endpoint}
	}
	return op
}

// signAs signs op with signer after checking that the signer's did:key is
// among allowed.
func signAs(op didplc.Operation, signer atcrypto.PrivateKey, allowed []string) error {
	if signer == nil {
		return errors.New("no signer given")
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return fmt.Errorf("signer public key: %w", err)
	}
	if !slices.Contains(allowed, pub.DIDKey()) {
		return fmt.Errorf("%w: %s", ErrSignerNotRotationKey, pub.DIDKey())
	}
	if err := op.Sign(signer); err != nil {
		return fmt.Errorf("sign operation: %w", err)
	}
	return nil
}
