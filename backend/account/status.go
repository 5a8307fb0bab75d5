package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// statusPage is the page size of the blob counts of CheckStatus.
const statusPage = 1000

// Status is an account's readiness report
// (com.atproto.server.checkAccountStatus): whether it is active, whether
// its DID document points here with its keys, and what its repo holds.
type Status struct {
	Activated      bool
	ValidDID       bool
	RepoCommit     cid.Cid
	RepoRev        string
	RepoBlocks     int64
	IndexedRecords int64
	// ExpectedBlobs counts distinct blobs the records reference;
	// ImportedBlobs those of them that were uploaded.
	ExpectedBlobs int64
	ImportedBlobs int64
}

// CheckStatus reports on the account, as a migration tool polls it.
func (l *Lifecycle) CheckStatus(ctx context.Context, did string) (Status, error) {
	acct, err := l.account(ctx, did)
	if err != nil {
		return Status{}, err
	}
	st := Status{Activated: acct.Status == store.StatusActive}
	st.ValidDID = l.checkDIDDoc(ctx, acct) == nil
	root, err := l.st.GetRepoRoot(ctx, did)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Status{}, fmt.Errorf("status of %s: %w", did, err)
	}
	st.RepoCommit, st.RepoRev = root.Commit, root.Rev
	if st.RepoBlocks, err = l.st.CountBlocks(ctx, did); err != nil {
		return Status{}, fmt.Errorf("status of %s: %w", did, err)
	}
	if st.IndexedRecords, err = l.countRecords(ctx, did); err != nil {
		return Status{}, err
	}
	if st.ExpectedBlobs, st.ImportedBlobs, err = l.countBlobs(ctx, did); err != nil {
		return Status{}, err
	}
	return st, nil
}

func (l *Lifecycle) countRecords(ctx context.Context, did string) (int64, error) {
	cols, err := l.st.ListCollections(ctx, did)
	if err != nil {
		return 0, fmt.Errorf("status of %s: %w", did, err)
	}
	var n int64
	for _, c := range cols {
		n += c.Count
	}
	return n, nil
}

// countBlobs counts the distinct blobs records reference, and how many of
// them are missing (referenced, never uploaded).
func (l *Lifecycle) countBlobs(ctx context.Context, did string) (expected, imported int64, err error) {
	for cursor := ""; ; {
		page, err := l.st.ListBlobs(ctx, did, "", cursor, statusPage)
		if err != nil {
			return 0, 0, fmt.Errorf("status of %s: %w", did, err)
		}
		expected += int64(len(page))
		if len(page) < statusPage {
			break
		}
		cursor = page[len(page)-1].String()
	}
	missing := map[cid.Cid]bool{}
	for cursor := ""; ; {
		page, err := l.st.ListMissingBlobs(ctx, did, cursor, statusPage)
		if err != nil {
			return 0, 0, fmt.Errorf("status of %s: %w", did, err)
		}
		for _, m := range page {
			missing[m.CID] = true
		}
		if len(page) < statusPage {
			break
		}
		cursor = page[len(page)-1].CID.String()
	}
	return expected, max(expected-int64(len(missing)), 0), nil
}

// checkDIDDoc checks that the account's DID document names this server as
// its PDS and the account's signing key, and, for did:plc, that its
// rotation keys include the one this server holds for the account. Errors
// match ErrInvalidDIDDoc and say which part is wrong, in the reference
// PDS's words.
func (l *Lifecycle) checkDIDDoc(ctx context.Context, acct store.Account) error {
	endpoint, signingKey, rotationKeys, err := l.didDocData(ctx, acct.DID)
	if err != nil {
		return err
	}
	sig, ours, err := l.publicKeys(ctx, acct)
	if err != nil {
		return err
	}
	if rotationKeys != nil && len(ours) > 0 && !slices.Contains(rotationKeys, ours[0]) {
		return fmt.Errorf("%w: Server rotation key not included in PLC DID data", ErrInvalidDIDDoc)
	}
	if endpoint == "" || strings.TrimRight(endpoint, "/") != strings.TrimRight(l.svc.cfg.PublicURL, "/") {
		return fmt.Errorf("%w: DID document atproto_pds service endpoint does not match PDS public url", ErrInvalidDIDDoc)
	}
	if signingKey != sig {
		return fmt.Errorf("%w: DID document verification method does not match expected signing key", ErrInvalidDIDDoc)
	}
	return nil
}

// didDocData reads the PDS endpoint, signing key and (did:plc only)
// rotation keys of a DID, fresh from the PLC directory or the DID's host.
func (l *Lifecycle) didDocData(ctx context.Context, did string) (endpoint, signingKey string, rotationKeys []string, err error) {
	parsed, err := syntax.ParseDID(did)
	if err != nil {
		return "", "", nil, fmt.Errorf("%w: %q", ErrInvalidDID, did)
	}
	if parsed.Method() == "plc" {
		data, err := l.svc.cfg.PLC.Data(ctx, parsed)
		if err != nil {
			return "", "", nil, fmt.Errorf("%w: could not read PLC data: %w", ErrInvalidDIDDoc, err)
		}
		return data.PDSEndpoint(), data.SigningKey(), append([]string{}, data.RotationKeys...), nil
	}
	if l.dir == nil {
		return "", "", nil, fmt.Errorf("%w: no resolver for %s", ErrInvalidDIDDoc, did)
	}
	l.purge(ctx, did)
	ident, err := l.dir.LookupDID(ctx, parsed)
	if err != nil {
		return "", "", nil, fmt.Errorf("%w: Could not resolve DID: %w", ErrInvalidDIDDoc, err)
	}
	if pub, err := ident.PublicKey(); err == nil {
		signingKey = pub.DIDKey()
	}
	return ident.PDSEndpoint(), signingKey, nil, nil
}
