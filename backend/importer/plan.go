package importer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/store"
)

// plan is what an import works from once its source is checked.
type plan struct {
	did, handle string
	kind        string
	pds         string  // where blobs (and, for KindPDS, the repo) come from
	rem         *remote // nil: no usable PDS; every blob stays missing
	carPath     string  // KindCAR
}

// close ends the source session, if any.
func (p *plan) close(ctx context.Context) {
	if p.rem == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	p.rem.logout(ctx)
}

// plan checks the source: signs in or reads the CAR file, resolves the
// DID document, picks the handle and checks the DID is not hosted here.
func (im *Importer) plan(ctx context.Context, src Source) (*plan, error) {
	p := &plan{kind: src.Kind, carPath: src.CARPath}
	switch src.Kind {
	case KindPDS:
		pds := src.PDSURL
		if pds == "" {
			var err error
			if pds, err = resolvePDS(ctx, im.cfg.Directory, src.Identifier); err != nil {
				return nil, err
			}
		}
		rem, err := newRemote(im.cfg.HTTPClient, pds)
		if err != nil {
			return nil, err
		}
		sess, err := rem.login(ctx, src.Identifier, src.Password)
		if err != nil {
			return nil, err
		}
		p.did, p.rem, p.pds = sess.DID, rem, rem.base
	case KindCAR:
		did, err := carDID(src.CARPath)
		if err != nil {
			return nil, err
		}
		p.did = did
	}
	if err := im.planIdentity(ctx, p, src.Handle); err != nil {
		p.close(ctx)
		return nil, err
	}
	return p, nil
}

// planIdentity resolves the DID document (the repo is verified against
// its key), picks the handle and the blob source, and checks the DID is
// not hosted here.
func (im *Importer) planIdentity(ctx context.Context, p *plan, handle string) error {
	ident, err := lookupDID(ctx, im.cfg.Directory, p.did)
	if err != nil {
		return err
	}
	if p.kind == KindCAR {
		p.pds = ident.PDSEndpoint()
		if p.pds != "" {
			if p.rem, err = newRemote(im.cfg.HTTPClient, p.pds); err != nil {
				p.rem = nil // blobs will be reported missing
			}
		}
	}
	p.handle = handle
	if p.handle == "" {
		h, err := ident.DeclaredHandle()
		if err != nil {
			return fmt.Errorf("%w: the DID document of %s declares no handle; give one", ErrResolve, p.did)
		}
		p.handle = h.String()
	}
	_, err = im.cfg.Store.GetAccount(ctx, p.did)
	switch {
	case err == nil:
		if m, ok, _ := getMarker(ctx, im.cfg.Store, p.did); ok && m.Step != StepDone {
			return fmt.Errorf("%w: %s (an import that did not complete: resume or discard it)", ErrAlreadyHosted, p.did)
		}
		return fmt.Errorf("%w: %s", ErrAlreadyHosted, p.did)
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("look up %s here: %w", p.did, err)
	}
	return nil
}

// begin creates the account here (deactivated, empty repo, no events) and
// launches the job that fills it.
func (im *Importer) begin(ctx context.Context, p *plan, password string) (*Job, error) {
	created, err := im.cfg.Accounts.Create(ctx, account.CreateInput{DID: p.did, Handle: p.handle, Password: password, Owner: true})
	if errors.Is(err, account.ErrAccountExists) {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyHosted, p.did)
	}
	if err != nil {
		return nil, fmt.Errorf("create the account %s here: %w", p.did, err)
	}
	// The account's first session is of no use to anyone: the owner works
	// in-process, and signs in with the password later if they want to.
	if _, err := im.cfg.Store.DeleteAccountRefreshTokens(ctx, p.did); err != nil {
		im.log.Warn("import: drop the account's first session", "did", p.did, "err", err)
	}
	if err := putMarker(ctx, im.cfg.Store, p.did, marker{Step: StepRepo, Kind: p.kind, PDS: p.pds}); err != nil {
		if derr := im.cfg.Lifecycle.DiscardUnannounced(context.WithoutCancel(ctx), p.did); derr != nil {
			err = errors.Join(err, fmt.Errorf("remove the account again: %w", derr))
		}
		return nil, err
	}
	jctx, cancel := context.WithCancel(im.base)
	job := newJob(Progress{Phase: PhaseRepo, DID: p.did, Handle: created.Account.Handle, PDS: p.pds}, cancel)
	im.launch(jctx, job, p, true)
	im.log.Info("import started", "did", p.did, "handle", created.Account.Handle, "kind", p.kind, "pds", p.pds)
	return job, nil
}
