package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
)

// statusDeleted is the status an #account event gives a deleted account.
const statusDeleted store.AccountStatus = "deleted"

// issueToken mails a token of purpose to the account's address.
func (l *Lifecycle) issueToken(ctx context.Context, purpose store.TokenPurpose, did string) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	if acct.Email == "" {
		return ErrNoEmail
	}
	t := l.emailTokens()
	if t == nil {
		return ErrMailNotConfigured
	}
	if _, err := t.Issue(ctx, purpose, did); err != nil {
		return fmt.Errorf("send %s token to %s: %w", purpose, did, err)
	}
	return nil
}

// checkToken verifies (and, when consume is set, uses up) an emailed token.
func (l *Lifecycle) checkToken(ctx context.Context, purpose store.TokenPurpose, did, token string, consume bool) error {
	if token == "" {
		return ErrTokenRequired
	}
	t := l.emailTokens()
	if t == nil {
		return ErrTokenInvalid // no token service: no token was ever sent
	}
	if consume {
		return t.Consume(ctx, purpose, did, token)
	}
	return t.Check(ctx, purpose, did, token)
}

// RequestDelete mails the account a token that DeleteAccount requires
// (com.atproto.server.requestAccountDelete). A taken-down account cannot
// ask (it may still move away).
func (l *Lifecycle) RequestDelete(ctx context.Context, did string) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	if acct.Status == store.StatusTakendown {
		return ErrAccountTakendown
	}
	return l.issueToken(ctx, store.TokenDeleteAccount, did)
}

// Delete deletes an account for good (com.atproto.server.deleteAccount):
// it checks the account password (app passwords do not count) and the
// emailed token, removes the account with its repo, records, blocks,
// tokens, app passwords and blob metadata, and emits an #account event
// with status "deleted". The DID itself is left as it is.
func (l *Lifecycle) Delete(ctx context.Context, did, password, token string) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	if len(password) > auth.MaxPasswordLen {
		return ErrBadCredentials
	}
	ok, err := auth.VerifyPassword(ctx, password, acct.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadCredentials
	}
	if err := l.checkToken(ctx, store.TokenDeleteAccount, did, token, false); err != nil {
		return err
	}
	return l.remove(ctx, acct)
}

// Remove deletes an account without asking for its credentials (the
// operator's com.atproto.admin.deleteAccount): the account, its repo and
// tokens go, #account with status deleted is emitted, and the OnDelete
// hooks run. The DID itself is left as it is.
func (l *Lifecycle) Remove(ctx context.Context, did string) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	return l.remove(ctx, acct)
}

func (l *Lifecycle) remove(ctx context.Context, acct store.Account) error {
	events := []store.Event{firehose.AccountEvent(acct.DID, statusDeleted, l.now())}
	if _, err := l.st.DeleteAccount(ctx, acct.DID, events); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrAccountNotFound
		}
		return fmt.Errorf("delete account %s: %w", acct.DID, err)
	}
	l.forgetAccount(ctx, acct)
	l.log.Info("account deleted", "did", acct.DID)
	return nil
}

// forgetAccount drops every cache of a deleted account and runs the
// OnDelete hooks.
func (l *Lifecycle) forgetAccount(ctx context.Context, acct store.Account) {
	l.svc.cfg.Engine.Forget(acct.DID)
	l.svc.forget(acct.DID)
	l.purge(ctx, acct.DID, acct.Handle)
	for _, fn := range l.deleteHooks() {
		fn(context.WithoutCancel(ctx), acct.DID)
	}
}
