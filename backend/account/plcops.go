package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/store"
)

// PLCEdit changes the data of a DID's latest PLC operation; nil fields
// keep what the latest operation says (com.atproto.identity.signPlcOperation).
type PLCEdit struct {
	RotationKeys        []string
	AlsoKnownAs         []string
	VerificationMethods map[string]string
	Services            map[string]identity.OpService
}

func invalidOp(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOperation, fmt.Sprintf(format, args...))
}

// RequestPLCSignature mails the account a token that SignPLCOperation
// requires (com.atproto.identity.requestPlcOperationSignature).
func (l *Lifecycle) RequestPLCSignature(ctx context.Context, did string) error {
	return l.issueToken(ctx, store.TokenPLCOperation, did)
}

// SignPLCOperation uses up an emailed token and signs, with the rotation
// key this server holds for the account, an operation that follows the
// DID's latest one with edit applied. The operation is returned, not
// submitted: during a migration the old PDS signs it and the new PDS
// submits it.
func (l *Lifecycle) SignPLCOperation(ctx context.Context, did, token string, edit PLCEdit) (identity.Operation, error) {
	acct, err := l.account(ctx, did)
	if err != nil {
		return identity.Operation{}, err
	}
	if token == "" {
		return identity.Operation{}, ErrTokenRequired
	}
	plcDID, rotation, err := l.plcSigner(acct)
	if err != nil {
		return identity.Operation{}, err
	}
	if err := l.checkToken(ctx, store.TokenPLCOperation, did, token, true); err != nil {
		return identity.Operation{}, err
	}
	last, err := l.svc.cfg.PLC.LastOp(ctx, plcDID)
	if err != nil {
		return identity.Operation{}, plcError(fmt.Errorf("sign PLC operation for %s: %w", did, err))
	}
	data, err := last.Data()
	if errors.Is(err, identity.ErrTombstoned) {
		return identity.Operation{}, invalidOp("Did is tombstoned")
	}
	if err != nil {
		return identity.Operation{}, fmt.Errorf("sign PLC operation for %s: %w", did, err)
	}
	op, err := identity.NewUpdate(last, edit.apply(data), rotation)
	if err != nil {
		return identity.Operation{}, invalidOp("%v", err)
	}
	return op, nil
}

// apply returns d with the edit's fields replacing its own.
func (e PLCEdit) apply(d identity.OpData) identity.OpData {
	d = d.Clone()
	if e.RotationKeys != nil {
		d.RotationKeys = append([]string{}, e.RotationKeys...)
	}
	if e.AlsoKnownAs != nil {
		d.AlsoKnownAs = append([]string{}, e.AlsoKnownAs...)
	}
	if e.VerificationMethods != nil {
		d.VerificationMethods = e.VerificationMethods
	}
	if e.Services != nil {
		d.Services = e.Services
	}
	return d
}

// plcSigner returns the account's did:plc and the rotation key this
// server holds for it.
func (l *Lifecycle) plcSigner(acct store.Account) (syntax.DID, atcrypto.PrivateKey, error) {
	did, err := syntax.ParseDID(acct.DID)
	if err != nil || did.Method() != "plc" {
		return "", nil, invalidOp("%s is not a did:plc", acct.DID)
	}
	rot, err := l.rotationKey(acct)
	if err != nil {
		return "", nil, err
	}
	if rot == nil {
		return "", nil, invalidOp("this server holds no rotation key for %s", acct.DID)
	}
	return did, rot, nil
}

// SubmitPLCOperation sends a signed operation for the account's DID to the
// PLC directory (com.atproto.identity.submitPlcOperation), after checking
// that it keeps the account hosted here: this server's rotation key, its
// endpoint, the account's signing key and handle. It emits #identity.
func (l *Lifecycle) SubmitPLCOperation(ctx context.Context, did string, raw json.RawMessage) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	var op identity.Operation
	if err := json.Unmarshal(raw, &op); err != nil || op.Type() != identity.OpTypeRegular {
		return invalidOp("Invalid operation")
	}
	data, err := op.Data()
	if err != nil {
		return invalidOp("Invalid operation")
	}
	if err := l.checkSubmitted(ctx, acct, data); err != nil {
		return err
	}
	plcDID, err := syntax.ParseDID(did)
	if err != nil || plcDID.Method() != "plc" {
		return invalidOp("%s is not a did:plc", did)
	}
	if err := l.svc.cfg.PLC.Submit(ctx, plcDID, op); err != nil {
		return plcError(fmt.Errorf("submit PLC operation for %s: %w", did, err))
	}
	l.purge(ctx, did)
	if _, err := l.st.AppendEvents(ctx, []store.Event{firehose.IdentityEvent(did, acct.Handle, l.now())}); err != nil {
		return fmt.Errorf("identity event of %s: %w", did, err)
	}
	return nil
}

// checkSubmitted applies the reference PDS's checks to a submitted
// operation, with its messages.
func (l *Lifecycle) checkSubmitted(ctx context.Context, acct store.Account, d identity.OpData) error {
	if err := d.Validate(); err != nil {
		return invalidOp("%v", err)
	}
	sig, rot, err := l.publicKeys(ctx, acct)
	if err != nil {
		return err
	}
	pds, hasPDS := d.Services[identity.ServiceIDPDS]
	switch {
	case len(rot) > 0 && !slices.Contains(d.RotationKeys, rot[0]):
		return invalidOp("Rotation keys do not include server's rotation key")
	case !hasPDS || pds.Type != identity.ServiceTypePDS:
		return invalidOp("Incorrect type on atproto_pds service")
	case pds.Endpoint != l.svc.cfg.PublicURL:
		return invalidOp("Incorrect endpoint on atproto_pds service")
	case d.SigningKey() != sig:
		return invalidOp("Incorrect signing key")
	case acct.Handle != "" && (len(d.AlsoKnownAs) == 0 || d.AlsoKnownAs[0] != "at://"+acct.Handle):
		return invalidOp("Incorrect handle in alsoKnownAs")
	}
	return nil
}

// plcError turns what the PLC directory refused (a 4xx answer) and an
// operation this server's rotation key may not sign into
// ErrInvalidOperation; anything else (the directory is down) stays as it is.
func plcError(err error) error {
	var de *identity.DirectoryError
	switch {
	case errors.As(err, &de) && de.StatusCode < 500:
		return invalidOp("PLC directory: %s", de.Message)
	case errors.Is(err, identity.ErrSignerNotRotationKey):
		return invalidOp("this server's rotation key for the account is not a rotation key of the DID")
	}
	return err
}
