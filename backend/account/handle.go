package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
)

// UpdateHandle changes the account's handle (com.atproto.identity.
// updateHandle). A handle under one of the service domains follows the
// local rules; any other must already resolve to the account's DID (DNS
// TXT or well-known). For a did:plc the new handle is written into the DID
// document with the rotation key this server holds; a did:web must already
// declare it. The change and its #identity event land together. Asking for
// the handle the account already has re-emits #identity, as the reference
// PDS does.
func (l *Lifecycle) UpdateHandle(ctx context.Context, did, raw string) (string, error) {
	acct, err := l.account(ctx, did)
	if err != nil {
		return "", err
	}
	if acct.Status == store.StatusTakendown {
		return "", ErrAccountTakendown
	}
	parsed, err := syntax.ParseDID(did)
	if err != nil {
		return "", fmt.Errorf("%w: %q", ErrInvalidDID, did)
	}
	handle, err := l.normalizeHandle(ctx, raw, parsed)
	if err != nil {
		return "", err
	}
	owner, err := l.st.GetAccountByHandle(ctx, handle)
	switch {
	case err == nil && owner.DID != did:
		return "", fmt.Errorf("%w: %s", ErrHandleTaken, handle)
	case err == nil:
		_, err = l.st.AppendEvents(ctx, []store.Event{firehose.IdentityEvent(did, handle, l.now())})
		return handle, err
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	if err := l.publishHandle(ctx, acct, parsed, handle); err != nil {
		return "", err
	}
	_, err = l.st.UpdateHandle(ctx, did, handle, []store.Event{firehose.IdentityEvent(did, handle, l.now())})
	if errors.Is(err, store.ErrConflict) {
		return "", fmt.Errorf("%w: %s", ErrHandleTaken, handle)
	}
	if err != nil {
		return "", fmt.Errorf("update handle of %s: %w", did, err)
	}
	l.purge(ctx, did, acct.Handle, handle)
	l.log.Info("handle updated", "did", did, "handle", handle)
	return handle, nil
}

// publishHandle makes the DID document declare the handle: a PLC update
// for did:plc, a check for did:web.
func (l *Lifecycle) publishHandle(ctx context.Context, acct store.Account, did syntax.DID, handle string) error {
	if did.Method() != "plc" {
		return l.checkDeclaredHandle(ctx, did, handle)
	}
	_, rotation, err := l.plcSigner(acct)
	if err != nil {
		return err
	}
	if _, err := l.svc.cfg.PLC.UpdateHandle(ctx, did, rotation, syntax.Handle(handle)); err != nil {
		return plcError(fmt.Errorf("update handle of %s in the PLC directory: %w", did, err))
	}
	return nil
}

// checkDeclaredHandle requires a did:web document to declare the handle.
func (l *Lifecycle) checkDeclaredHandle(ctx context.Context, did syntax.DID, handle string) error {
	if l.dir == nil {
		return fmt.Errorf("%w: DID is not properly configured for handle", ErrExternalHandle)
	}
	l.purge(ctx, did.String())
	ident, err := l.dir.LookupDID(ctx, did)
	if err != nil {
		return fmt.Errorf("%w: DID is not properly configured for handle", ErrExternalHandle)
	}
	declared, err := ident.DeclaredHandle()
	if err != nil || declared.Normalize().String() != handle {
		return fmt.Errorf("%w: DID is not properly configured for handle", ErrExternalHandle)
	}
	return nil
}
