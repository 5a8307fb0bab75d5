package store

import "context"

// PendingPLC keeps did:plc genesis operations that were signed locally but
// not yet submitted to a PLC directory. A desktop install creates its
// owner's account local-first: the DID is computed (and the repo signed)
// at once, but the directory learns of it only when the user goes public.
// CreateAccount stores NewAccount.PendingPLCOp in the account's
// transaction; deleting the account deletes its pending operation.
type PendingPLC interface {
	// GetPendingPLCOp returns the account's unsubmitted operation (JSON), or
	// ErrNotFound.
	GetPendingPLCOp(ctx context.Context, did string) ([]byte, error)
	// DeletePendingPLCOp forgets the operation once the directory has it;
	// deleting one that is not there is not an error.
	DeletePendingPLCOp(ctx context.Context, did string) error
}
