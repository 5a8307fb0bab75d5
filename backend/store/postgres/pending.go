package postgres

import (
	"context"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// queueInsertPendingPLCOp queues a new account's unsubmitted genesis
// operation inside the account's transaction.
func queueInsertPendingPLCOp(tx *writeTx, a store.NewAccount) {
	if len(a.PendingPLCOp) == 0 {
		return
	}
	tx.queue(`INSERT INTO pending_plc_ops (did, op, created_at) VALUES ($1, $2, $3)`,
		a.Account.DID, a.PendingPLCOp, micros(a.Account.CreatedAt))
}

// GetPendingPLCOp returns the account's unsubmitted genesis operation.
func (s *Store) GetPendingPLCOp(ctx context.Context, did string) ([]byte, error) {
	var op []byte
	err := s.pool.QueryRow(ctx, `SELECT op FROM pending_plc_ops WHERE did = $1`, did).Scan(&op)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending PLC operation of %s: %w", did, mapErr(err))
	}
	return op, nil
}

// DeletePendingPLCOp forgets the account's pending operation.
func (s *Store) DeletePendingPLCOp(ctx context.Context, did string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM pending_plc_ops WHERE did = $1`, did); err != nil {
		return fmt.Errorf("postgres: delete pending PLC operation of %s: %w", did, err)
	}
	return nil
}
