package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/hearthpds/hearth/backend/store"
)

// auditCols are the delegation_audit columns scanAudit reads.
const auditCols = `id, at, delegated_did, controller_did, actor_did, kind, detail`

// scanAudit reads one delegation_audit row.
func scanAudit(row scanner) (store.DelegationAuditEntry, error) {
	var (
		e      store.DelegationAuditEntry
		at     int64
		detail string
	)
	if err := row.Scan(&e.ID, &at, &e.DelegatedDID, &e.ControllerDID, &e.ActorDID, &e.Kind, &detail); err != nil {
		return store.DelegationAuditEntry{}, mapErr(err)
	}
	e.At, e.Detail = fromMicros(at), []byte(detail)
	return e, nil
}

// auditDetail is the stored form of an entry's detail: nil becomes {}.
func auditDetail(d []byte) string {
	if len(d) == 0 {
		return "{}"
	}
	return string(d)
}

// insertAudit appends an audit entry inside the transaction.
func (w *writeTx) insertAudit(e store.DelegationAuditEntry) (int64, error) {
	var id int64
	err := w.tx.QueryRowContext(w.ctx, `INSERT INTO delegation_audit
		(at, delegated_did, controller_did, actor_did, kind, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		micros(e.At), e.DelegatedDID, e.ControllerDID, e.ActorDID, e.Kind, auditDetail(e.Detail)).Scan(&id)
	return id, mapErr(err)
}

// AppendDelegationAudit appends one audit entry.
func (s *Store) AppendDelegationAudit(ctx context.Context, e store.DelegationAuditEntry) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		id, err = w.insertAudit(e)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: append delegation audit of %s: %w", e.DelegatedDID, err)
	}
	return id, nil
}

// ListDelegationAudit pages matching audit entries, newest first.
func (s *Store) ListDelegationAudit(ctx context.Context, f store.DelegationAuditFilter) ([]store.DelegationAuditEntry, error) {
	var (
		where []string
		args  []any
	)
	if f.DelegatedDID != "" {
		where, args = append(where, "delegated_did = ?"), append(args, f.DelegatedDID)
	}
	if f.ControllerDID != "" {
		where, args = append(where, "controller_did = ?"), append(args, f.ControllerDID)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN (?"+strings.Repeat(", ?", len(f.Kinds)-1)+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, micros(f.Since))
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	q := `SELECT ` + auditCols + ` FROM delegation_audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.reader.QueryContext(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, sqlLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list delegation audit: %w", err)
	}
	es, err := collect(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list delegation audit: %w", err)
	}
	return es, nil
}
