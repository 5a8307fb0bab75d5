package identity

import (
	"fmt"
	"net/url"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/did-method-plc/go-didplc"
)

// GenesisParams describe a new did:plc account.
type GenesisParams struct {
	// SigningKey is the repo signing key; its did:key becomes the atproto
	// verification method. Only the public half is needed.
	SigningKey atcrypto.PublicKey
	// RotationKeys are did:key strings in priority order (see OpData).
	// Hearth puts its own rotation key here; a user-held recovery key, when
	// there is one, goes before it so that the user can override the PDS.
	// When empty, the Signer's key is the only rotation key.
	RotationKeys []string
	// Signer signs the genesis operation. It must be one of RotationKeys:
	// a directory checks a genesis against its own rotation keys.
	Signer atcrypto.PrivateKey
	// Handle goes into alsoKnownAs as at://<handle>; empty means none.
	Handle syntax.Handle
	// PDSEndpoint is the URL of the account's PDS (the atproto_pds service).
	PDSEndpoint string
}

// data returns the OpData the genesis operation will carry.
func (p GenesisParams) data() (OpData, error) {
	if p.SigningKey == nil {
		return OpData{}, fmt.Errorf("%w: genesis needs a signing key", ErrInvalidOperation)
	}
	if u, err := url.Parse(p.PDSEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return OpData{}, fmt.Errorf("%w: PDS endpoint %q is not an http(s) URL", ErrInvalidOperation, p.PDSEndpoint)
	}
	d := OpData{RotationKeys: append([]string{}, p.RotationKeys...)}
	if len(d.RotationKeys) == 0 && p.Signer != nil {
		pub, err := p.Signer.PublicKey()
		if err != nil {
			return OpData{}, fmt.Errorf("signer public key: %w", err)
		}
		d.RotationKeys = []string{pub.DIDKey()}
	}
	d.SetSigningKey(p.SigningKey)
	if p.Handle != "" {
		d.SetHandle(p.Handle)
	}
	d.SetPDSEndpoint(p.PDSEndpoint)
	if err := d.Validate(); err != nil {
		return OpData{}, err
	}
	return d, nil
}

// NewGenesis builds and signs the operation that creates a did:plc, and
// derives the DID from it. Nothing is sent anywhere: submit the operation
// with PLCClient.Submit (now or later) to register the DID.
func NewGenesis(p GenesisParams) (syntax.DID, Operation, error) {
	d, err := p.data()
	if err != nil {
		return "", Operation{}, fmt.Errorf("genesis: %w", err)
	}
	if len(d.RotationKeys) == 0 {
		return "", Operation{}, fmt.Errorf("genesis: %w: no rotation keys", ErrInvalidOperation)
	}
	op := toRegular(d, nil)
	if err := signAs(op, p.Signer, d.RotationKeys); err != nil {
		return "", Operation{}, fmt.Errorf("genesis: %w", err)
	}
	o := Operation{op: op}
	did, err := o.DID()
	if err != nil {
		return "", Operation{}, fmt.Errorf("genesis: %w", err)
	}
	return did, o, nil
}

// NewUpdate builds the operation that follows prev and carries data, signed
// by signer, which must be one of prev's rotation keys. prev is normally the
// DID's latest operation (PLCClient.LastOp); naming an older one asks the
// directory to nullify what came after it, which only a higher-priority
// rotation key may do, within 72 hours.
func NewUpdate(prev Operation, data OpData, signer atcrypto.PrivateKey) (Operation, error) {
	prevData, err := prev.Data()
	if err != nil {
		return Operation{}, fmt.Errorf("update after %s: %w", prev.CID(), err)
	}
	if err := data.Validate(); err != nil {
		return Operation{}, fmt.Errorf("update: %w", err)
	}
	cid := prev.CID()
	op := toRegular(data, &cid)
	if err := signAs(op, signer, prevData.RotationKeys); err != nil {
		return Operation{}, fmt.Errorf("update: %w", err)
	}
	return Operation{op: op}, nil
}

// NewTombstone builds the operation that deletes the DID whose latest
// operation is prev, signed by one of prev's rotation keys. A tombstone can
// itself be nullified by a higher-priority rotation key within 72 hours.
func NewTombstone(prev Operation, signer atcrypto.PrivateKey) (Operation, error) {
	prevData, err := prev.Data()
	if err != nil {
		return Operation{}, fmt.Errorf("tombstone after %s: %w", prev.CID(), err)
	}
	op := &didplc.TombstoneOp{Type: OpTypeTombstone, Prev: prev.CID()}
	if err := signAs(op, signer, prevData.RotationKeys); err != nil {
		return Operation{}, fmt.Errorf("tombstone: %w", err)
	}
	return Operation{op: op}, nil
}
