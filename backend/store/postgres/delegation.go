package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// grantCols are the delegation_grants columns scanGrant reads.
const grantCols = `id, delegated_did, controller_did, scope, preset, granted_at, granted_by,
	updated_at, updated_by, revoked_at, revoked_by`

// grantLock serialises grant changes (transaction-scoped advisory lock), so
// the one-level check and the insert are one step even under READ
// COMMITTED. Grant changes are rare; one lock for all of them is enough.
const grantLock = `SELECT pg_advisory_xact_lock(hashtextextended('hearth.delegation:' || coalesce(current_schema(), ''), 0))`

// scanGrant reads one delegation_grants row.
func scanGrant(row pgx.Row) (store.DelegationGrant, error) {
	var (
		g                    store.DelegationGrant
		granted              int64
		updated, revoked     *int64
		updatedBy, revokedBy *string
	)
	err := row.Scan(&g.ID, &g.DelegatedDID, &g.ControllerDID, &g.Scope, &g.Preset, &granted, &g.GrantedBy,
		&updated, &updatedBy, &revoked, &revokedBy)
	if err != nil {
		return store.DelegationGrant{}, mapErr(err)
	}
	g.GrantedAt = fromMicros(granted)
	g.UpdatedAt, g.UpdatedBy = fromNullMicros(updated), text(updatedBy)
	g.RevokedAt, g.RevokedBy = fromNullMicros(revoked), text(revokedBy)
	return g, nil
}

// grantTx runs fn in a transaction holding the grant lock.
func (s *Store) grantTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, grantLock); err != nil {
			return err
		}
		return fn(tx)
	})
}

// CreateDelegationGrant checks the pair and the one-level rule and inserts
// the grant and its audit entry, under the grant lock.
func (s *Store) CreateDelegationGrant(ctx context.Context, g store.DelegationGrant, audit store.DelegationAuditEntry) (store.DelegationGrant, error) {
	var created store.DelegationGrant
	err := s.grantTx(ctx, func(tx pgx.Tx) error {
		var pair, depth int
		err := tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM delegation_grants WHERE revoked_at IS NULL AND delegated_did = $1 AND controller_did = $2),
			(SELECT count(*) FROM delegation_grants WHERE revoked_at IS NULL AND (delegated_did = $2 OR controller_did = $1))`,
			g.DelegatedDID, g.ControllerDID).Scan(&pair, &depth)
		switch {
		case err != nil:
			return err
		case pair > 0:
			return fmt.Errorf("%w: %s already controls %s", store.ErrConflict, g.ControllerDID, g.DelegatedDID)
		case depth > 0:
			return store.ErrDelegationDepth
		}
		if created, err = scanGrant(tx.QueryRow(ctx, `INSERT INTO delegation_grants
			(delegated_did, controller_did, scope, preset, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING `+grantCols, g.DelegatedDID, g.ControllerDID, g.Scope, g.Preset, micros(g.GrantedAt), g.GrantedBy)); err != nil {
			return err
		}
		_, err = insertAudit(ctx, tx, audit)
		return err
	})
	if err != nil {
		return store.DelegationGrant{}, fmt.Errorf("postgres: create delegation grant of %s to %s: %w", g.DelegatedDID, g.ControllerDID, mapErr(err))
	}
	return created, nil
}

// UpdateDelegationGrant changes the active grant's scope and appends the
// audit entry.
func (s *Store) UpdateDelegationGrant(ctx context.Context, u store.DelegationGrantUpdate, audit store.DelegationAuditEntry) (store.DelegationGrant, error) {
	var g store.DelegationGrant
	err := s.grantTx(ctx, func(tx pgx.Tx) error {
		var err error
		g, err = scanGrant(tx.QueryRow(ctx, `UPDATE delegation_grants
			SET scope = $1, preset = $2, updated_at = $3, updated_by = $4
			WHERE delegated_did = $5 AND controller_did = $6 AND revoked_at IS NULL
			RETURNING `+grantCols, u.Scope, u.Preset, micros(u.At), u.By, u.DelegatedDID, u.ControllerDID))
		if err != nil {
			return err
		}
		_, err = insertAudit(ctx, tx, audit)
		return err
	})
	if err != nil {
		return store.DelegationGrant{}, fmt.Errorf("postgres: update delegation grant of %s to %s: %w", u.DelegatedDID, u.ControllerDID, mapErr(err))
	}
	return g, nil
}

// RevokeDelegationGrant revokes the active grant, deletes the controller's
// app passwords for the account with their refresh tokens, and appends the
// audit entry.
func (s *Store) RevokeDelegationGrant(ctx context.Context, r store.DelegationRevoke, audit store.DelegationAuditEntry) (store.DelegationGrant, []string, error) {
	var (
		g     store.DelegationGrant
		names []string
	)
	err := s.grantTx(ctx, func(tx pgx.Tx) error {
		var err error
		g, err = scanGrant(tx.QueryRow(ctx, `UPDATE delegation_grants SET revoked_at = $1, revoked_by = $2
			WHERE delegated_did = $3 AND controller_did = $4 AND revoked_at IS NULL
			RETURNING `+grantCols, micros(r.At), r.By, r.DelegatedDID, r.ControllerDID))
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `DELETE FROM app_passwords a USING delegation_app_passwords d
			WHERE a.did = d.did AND a.name = d.name AND d.did = $1 AND d.controller_did = $2
			RETURNING a.name`, r.DelegatedDID, r.ControllerDID)
		if names, err = collect(rows, err, scanText); err != nil {
			return err
		}
		if len(names) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM refresh_tokens WHERE did = $1 AND app_password_name = ANY($2)`,
				r.DelegatedDID, names); err != nil {
				return err
			}
		}
		_, err = insertAudit(ctx, tx, audit)
		return err
	})
	if err != nil {
		return store.DelegationGrant{}, nil, fmt.Errorf("postgres: revoke delegation grant of %s to %s: %w", r.DelegatedDID, r.ControllerDID, mapErr(err))
	}
	slices.Sort(names) // DELETE ... RETURNING has no order
	return g, names, nil
}

// scanText reads a one-column text row.
func scanText(row pgx.Row) (string, error) {
	var v string
	err := row.Scan(&v)
	return v, err
}

// GetActiveDelegationGrant returns the pair's active grant.
func (s *Store) GetActiveDelegationGrant(ctx context.Context, delegatedDID, controllerDID string) (store.DelegationGrant, error) {
	g, err := scanGrant(s.pool.QueryRow(ctx, `SELECT `+grantCols+` FROM delegation_grants
		WHERE delegated_did = $1 AND controller_did = $2 AND revoked_at IS NULL`, delegatedDID, controllerDID))
	if err != nil {
		return store.DelegationGrant{}, fmt.Errorf("postgres: get delegation grant of %s to %s: %w", delegatedDID, controllerDID, err)
	}
	return g, nil
}

// ListDelegationGrants lists matching grants, oldest first.
func (s *Store) ListDelegationGrants(ctx context.Context, f store.DelegationGrantFilter) ([]store.DelegationGrant, error) {
	var w where
	if f.DelegatedDID != "" {
		w.add("delegated_did = ", f.DelegatedDID)
	}
	if f.ControllerDID != "" {
		w.add("controller_did = ", f.ControllerDID)
	}
	if !f.IncludeRevoked {
		w.conds = append(w.conds, "revoked_at IS NULL")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+grantCols+` FROM delegation_grants`+w.sql()+` ORDER BY granted_at, id`, w.args...)
	gs, err := collect(rows, err, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("postgres: list delegation grants: %w", err)
	}
	return gs, nil
}

// where builds a WHERE clause with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// add appends the condition prefix followed by the next parameter.
func (w *where) add(prefix string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, prefix+"$"+strconv.Itoa(len(w.args)))
}

// sql returns " WHERE ..." or "".
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// CreateDelegatedAppPassword stores the app password and its controller in
// one transaction.
func (s *Store) CreateDelegatedAppPassword(ctx context.Context, p store.AppPassword, controllerDID string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO app_passwords (did, name, hash, privileged, created_at)
			VALUES ($1, $2, $3, $4, $5)`, p.DID, p.Name, p.Hash, p.Privileged, micros(p.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO delegation_app_passwords (did, name, controller_did, created_at)
			VALUES ($1, $2, $3, $4)`, p.DID, p.Name, controllerDID, micros(p.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: create app password %q of %s for controller %s: %w", p.Name, p.DID, controllerDID, mapErr(err))
	}
	return nil
}

// ListDelegatedAppPasswords names the controller's app passwords for the
// account.
func (s *Store) ListDelegatedAppPasswords(ctx context.Context, delegatedDID, controllerDID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT name FROM delegation_app_passwords
		WHERE did = $1 AND controller_did = $2 ORDER BY name`, delegatedDID, controllerDID)
	names, err := collect(rows, err, scanText)
	if err != nil {
		return nil, fmt.Errorf("postgres: list delegated app passwords of %s: %w", delegatedDID, err)
	}
	return names, nil
}
