package account

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// ErrNotDeactivated: an operation meant for an account that was never
// announced (a deactivated, migrating account) was asked of another.
var ErrNotDeactivated = errors.New("account is not deactivated")

// ImportRepoQuietly imports a repo like ImportRepo (same checks: the CAR
// must be signed with the account's key here or the key its DID document
// names), but appends no #sync event. It is for an account that stays
// deactivated while its DID document still points at another PDS (the
// desktop's "bring my account here"): nothing about it reaches the firehose
// until Activate, which announces the current commit with its own #sync.
func (l *Lifecycle) ImportRepoQuietly(ctx context.Context, did string, r io.Reader, maxBytes int64) (*repo.CommitInfo, error) {
	acct, err := l.account(ctx, did)
	if err != nil {
		return nil, err
	}
	if acct.Status != store.StatusDeactivated {
		return nil, fmt.Errorf("%w: %s is %s", ErrNotDeactivated, did, acct.Status)
	}
	trusted := l.trustedKeys(ctx, did)
	info, err := l.svc.cfg.Engine.Import(ctx, did, r, repo.ImportOptions{Store: quietImports{l.st}, TrustedKeys: trusted, MaxBytes: maxBytes})
	if err != nil {
		return nil, err
	}
	l.log.Info("repo imported quietly", "did", did, "rev", info.Rev)
	return info, nil
}

// DiscardUnannounced deletes a deactivated account with its repo, records,
// blob metadata and tokens, appending no #account event (the firehose never
// announced it), and runs the OnDelete hooks (which remove its blob files).
// It undoes an account creation that did not complete, such as a cancelled
// import. An account in any other status gets ErrNotDeactivated.
func (l *Lifecycle) DiscardUnannounced(ctx context.Context, did string) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	if acct.Status != store.StatusDeactivated {
		return fmt.Errorf("%w: %s is %s", ErrNotDeactivated, did, acct.Status)
	}
	if _, err := l.st.DeleteAccount(ctx, did, nil); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrAccountNotFound
		}
		return fmt.Errorf("discard account %s: %w", did, err)
	}
	l.forgetAccount(ctx, acct)
	l.log.Info("unannounced account discarded", "did", did)
	return nil
}

// quietImports lands an import without its firehose event.
type quietImports struct{ st store.Imports }

func (q quietImports) ImportRepo(ctx context.Context, imp store.RepoImport) (int64, error) {
	imp.Event = nil
	return q.st.ImportRepo(ctx, imp)
}
