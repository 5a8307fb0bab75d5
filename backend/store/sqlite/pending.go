package sqlite

import (
	"context"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// insertPendingPLCOp stores a new account's unsubmitted genesis operation
// inside the account's transaction.
func (w *writeTx) insertPendingPLCOp(a store.NewAccount) error {
	if len(a.PendingPLCOp) == 0 {
		return nil
	}
	_, err := w.exec(`INSERT INTO pending_plc_ops (did, op, created_at) VALUES (?, ?, ?)`,
		a.Account.DID, a.PendingPLCOp, micros(a.Account.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert pending PLC operation: %w", err)
	}
	return nil
}

// GetPendingPLCOp returns the account's unsubmitted genesis operation.
func (s *Store) GetPendingPLCOp(ctx context.Context, did string) ([]byte, error) {
	var op []byte
	err := s.reader.QueryRowContext(ctx, `SELECT op FROM pending_plc_ops WHERE did = ?`, did).Scan(&op)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending PLC operation of %s: %w", did, mapErr(err))
	}
	return op, nil
}

// DeletePendingPLCOp forgets the account's pending operation.
func (s *Store) DeletePendingPLCOp(ctx context.Context, did string) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		_, err := w.exec(`DELETE FROM pending_plc_ops WHERE did = ?`, did)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete pending PLC operation of %s: %w", did, err)
	}
	return nil
}
