package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// auditCols are the delegation_audit columns scanAudit reads.
const auditCols = `id, at, delegated_did, controller_did, actor_did, kind, detail`

// scanAudit reads one delegation_audit row.
func scanAudit(row pgx.Row) (store.DelegationAuditEntry, error) {
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

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// insertAudit appends an audit entry through q.
func insertAudit(ctx context.Context, q querier, e store.DelegationAuditEntry) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO delegation_audit
		(at, delegated_did, controller_did, actor_did, kind, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		micros(e.At), e.DelegatedDID, e.ControllerDID, e.ActorDID, e.Kind, auditDetail(e.Detail)).Scan(&id)
	return id, mapErr(err)
}

// AppendDelegationAudit appends one audit entry.
func (s *Store) AppendDelegationAudit(ctx context.Context, e store.DelegationAuditEntry) (int64, error) {
	id, err := insertAudit(ctx, s.pool, e)
	if err != nil {
		return 0, fmt.Errorf("postgres: append delegation audit of %s: %w", e.DelegatedDID, err)
	}
	return id, nil
}

// ListDelegationAudit pages matching audit entries, newest first.
func (s *Store) ListDelegationAudit(ctx context.Context, f store.DelegationAuditFilter) ([]store.DelegationAuditEntry, error) {
	var w where
	if f.DelegatedDID != "" {
		w.add("delegated_did = ", f.DelegatedDID)
	}
	if f.ControllerDID != "" {
		w.add("controller_did = ", f.ControllerDID)
	}
	if len(f.Kinds) > 0 {
		w.add("kind = ANY(", f.Kinds)
		w.conds[len(w.conds)-1] += ")"
	}
	if !f.Since.IsZero() {
		w.add("at >= ", micros(f.Since))
	}
	if f.Before > 0 {
		w.add("id < ", f.Before)
	}
	q := `SELECT ` + auditCols + ` FROM delegation_audit` + w.sql() + ` ORDER BY id DESC`
	if f.Limit > 0 {
		w.args = append(w.args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(w.args))
	}
	rows, err := s.pool.Query(ctx, q, w.args...)
	es, err := collect(rows, err, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list delegation audit: %w", err)
	}
	return es, nil
}
