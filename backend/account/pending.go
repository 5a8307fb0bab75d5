package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/store"
)

// ErrNotPending: the account's DID is not waiting for submission (it was
// submitted at sign-up, or already published).
var ErrNotPending = errors.New("the account's DID has no unpublished genesis operation")

// PendingGenesis returns the account's signed, unsubmitted did:plc genesis
// operation (LocalFirst accounts), or ErrNotPending.
func (s *Service) PendingGenesis(ctx context.Context, did string) (identity.Operation, error) {
	raw, err := s.cfg.Store.GetPendingPLCOp(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return identity.Operation{}, ErrNotPending
	}
	if err != nil {
		return identity.Operation{}, err
	}
	var op identity.Operation
	if err := json.Unmarshal(raw, &op); err != nil {
		return identity.Operation{}, fmt.Errorf("pending genesis of %s: %w", did, err)
	}
	return op, nil
}

// LocalDocument renders the DID document the account's pending genesis
// operation describes: what the PLC directory will serve once it is
// submitted. ErrNotPending when there is none.
func (s *Service) LocalDocument(ctx context.Context, did string) (identity.Document, error) {
	op, err := s.PendingGenesis(ctx, did)
	if err != nil {
		return identity.Document{}, err
	}
	data, err := op.Data()
	if err != nil {
		return identity.Document{}, fmt.Errorf("pending genesis of %s: %w", did, err)
	}
	return identity.FormatDocument(syntax.DID(did), data)
}

// SubmitPendingPLC publishes the account's pending genesis operation to the
// PLC directory and forgets it. It is idempotent: a directory that already
// has the operation accepts it again.
func (s *Service) SubmitPendingPLC(ctx context.Context, did string) error {
	op, err := s.PendingGenesis(ctx, did)
	if err != nil {
		return err
	}
	if err := s.cfg.PLC.Submit(ctx, syntax.DID(did), op); err != nil {
		return fmt.Errorf("publish did:plc %s: %w", did, err)
	}
	if err := s.cfg.Store.DeletePendingPLCOp(ctx, did); err != nil {
		return err
	}
	s.log.Info("DID published to the PLC directory", "did", did, "plc", s.cfg.PLC.URL())
	return nil
}
