package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hearthpds/hearth/backend/store"
)

// grantCols are the delegation_grants columns scanGrant reads.
const grantCols = `id, delegated_did, controller_did, scope, preset, granted_at, granted_by,
	updated_at, updated_by, revoked_at, revoked_by`

// scanGrant reads one delegation_grants row.
func scanGrant(row scanner) (store.DelegationGrant, error) {
	var (
		g                    store.DelegationGrant
		granted              int64
		updated, revoked     sql.NullInt64
		updatedBy, revokedBy sql.NullString
	)
	err := row.Scan(&g.ID, &g.DelegatedDID, &g.ControllerDID, &g.Scope, &g.Preset, &granted, &g.GrantedBy,
		&updated, &updatedBy, &revoked, &revokedBy)
	if err != nil {
		return store.DelegationGrant{}, mapErr(err)
	}
	g.GrantedAt = fromMicros(granted)
	g.UpdatedAt, g.UpdatedBy = fromNullMicros(updated), updatedBy.String
	g.RevokedAt, g.RevokedBy = fromNullMicros(revoked), revokedBy.String
	return g, nil
}

// CreateDelegationGrant checks the pair and the one-level rule and inserts
// the grant and its audit entry; the single writer makes it one step.
func (s *Store) CreateDelegationGrant(ctx context.Context, g store.DelegationGrant, audit store.DelegationAuditEntry) (store.DelegationGrant, error) {
	var created store.DelegationGrant
	err := s.inTx(ctx, func(w *writeTx) error {
		var pair, depth int
		err := w.tx.QueryRowContext(w.ctx, `SELECT
			(SELECT count(*) FROM delegation_grants WHERE revoked_at IS NULL AND delegated_did = ?1 AND controller_did = ?2),
			(SELECT count(*) FROM delegation_grants WHERE revoked_at IS NULL AND (delegated_did = ?2 OR controller_did = ?1))`,
			g.DelegatedDID, g.ControllerDID).Scan(&pair, &depth)
		switch {
		case err != nil:
			return err
		case pair > 0:
			return fmt.Errorf("%w: %s already controls %s", store.ErrConflict, g.ControllerDID, g.DelegatedDID)
		case depth > 0:
			return store.ErrDelegationDepth
		}
		if created, err = scanGrant(w.tx.QueryRowContext(w.ctx, `INSERT INTO delegation_grants
			(delegated_did, controller_did, scope, preset, granted_at, granted_by) VALUES (?, ?, ?, ?, ?, ?)
			RETURNING `+grantCols, g.DelegatedDID, g.ControllerDID, g.Scope, g.Preset, micros(g.GrantedAt), g.GrantedBy)); err != nil {
			return err
		}
		_, err = w.insertAudit(audit)
		return err
	})
	if err != nil {
		return store.DelegationGrant{}, fmt.Errorf("sqlite: create delegation grant of %s to %s: %w", g.DelegatedDID, g.ControllerDID, err)
	}
	return created, nil
}

// UpdateDelegationGrant changes the active grant's scope and appends the
// audit entry.
func (s *Store) UpdateDelegationGrant(ctx context.Context, u store.DelegationGrantUpdate, audit store.DelegationAuditEntry) (store.DelegationGrant, error) {
	var g store.DelegationGrant
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		g, err = scanGrant(w.tx.QueryRowContext(w.ctx, `UPDATE delegation_grants
			SET scope = ?, preset = ?, updated_at = ?, updated_by = ?
			WHERE delegated_did = ? AND controller_did = ? AND revoked_at IS NULL
			RETURNING `+grantCols, u.Scope, u.Preset, micros(u.At), u.By, u.DelegatedDID, u.ControllerDID))
		if err != nil {
			return err
		}
		_, err = w.insertAudit(audit)
		return err
	})
	if err != nil {
		return store.DelegationGrant{}, fmt.Errorf("sqlite: update delegation grant of %s to %s: %w", u.DelegatedDID, u.ControllerDID, err)
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
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		g, err = scanGrant(w.tx.QueryRowContext(w.ctx, `UPDATE delegation_grants SET revoked_at = ?, revoked_by = ?
			WHERE delegated_did = ? AND controller_did = ? AND revoked_at IS NULL
			RETURNING `+grantCols, micros(r.At), r.By, r.DelegatedDID, r.ControllerDID))
		if err != nil {
			return err
		}
		rows, err := w.tx.QueryContext(w.ctx, `SELECT name FROM delegation_app_passwords
			WHERE did = ? AND controller_did = ? ORDER BY name`, r.DelegatedDID, r.ControllerDID)
		if err != nil {
			return err
		}
		if names, err = collect(rows, scanString); err != nil {
			return err
		}
		for _, name := range names {
			if _, err := w.exec(`DELETE FROM app_passwords WHERE did = ? AND name = ?`, r.DelegatedDID, name); err != nil {
				return err
			}
			if _, err := w.exec(`DELETE FROM refresh_tokens WHERE did = ? AND app_password_name = ?`, r.DelegatedDID, name); err != nil {
				return err
			}
		}
		_, err = w.insertAudit(audit)
		return err
	})
	if err != nil {
		return store.DelegationGrant{}, nil, fmt.Errorf("sqlite: revoke delegation grant of %s to %s: %w", r.DelegatedDID, r.ControllerDID, err)
	}
	return g, names, nil
}

// scanString reads a one-column text row.
func scanString(row scanner) (string, error) {
	var v string
	err := row.Scan(&v)
	return v, err
}

// GetActiveDelegationGrant returns the pair's active grant.
func (s *Store) GetActiveDelegationGrant(ctx context.Context, delegatedDID, controllerDID string) (store.DelegationGrant, error) {
	g, err := scanGrant(s.reader.QueryRowContext(ctx, `SELECT `+grantCols+` FROM delegation_grants
		WHERE delegated_did = ? AND controller_did = ? AND revoked_at IS NULL`, delegatedDID, controllerDID))
	if err != nil {
		return store.DelegationGrant{}, fmt.Errorf("sqlite: get delegation grant of %s to %s: %w", delegatedDID, controllerDID, err)
	}
	return g, nil
}

// ListDelegationGrants lists matching grants, oldest first.
func (s *Store) ListDelegationGrants(ctx context.Context, f store.DelegationGrantFilter) ([]store.DelegationGrant, error) {
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
	if !f.IncludeRevoked {
		where = append(where, "revoked_at IS NULL")
	}
	q := `SELECT ` + grantCols + ` FROM delegation_grants`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.reader.QueryContext(ctx, q+" ORDER BY granted_at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list delegation grants: %w", err)
	}
	gs, err := collect(rows, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list delegation grants: %w", err)
	}
	return gs, nil
}

// CreateDelegatedAppPassword stores the app password and its controller in
// one transaction.
func (s *Store) CreateDelegatedAppPassword(ctx context.Context, p store.AppPassword, controllerDID string) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		if _, err := w.exec(`INSERT INTO app_passwords (did, name, hash, privileged, created_at)
			VALUES (?, ?, ?, ?, ?)`, p.DID, p.Name, p.Hash, p.Privileged, micros(p.CreatedAt)); err != nil {
			return err
		}
		_, err := w.exec(`INSERT INTO delegation_app_passwords (did, name, controller_did, created_at)
			VALUES (?, ?, ?, ?)`, p.DID, p.Name, controllerDID, micros(p.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create app password %q of %s for controller %s: %w", p.Name, p.DID, controllerDID, err)
	}
	return nil
}

// ListDelegatedAppPasswords names the controller's app passwords for the
// account.
func (s *Store) ListDelegatedAppPasswords(ctx context.Context, delegatedDID, controllerDID string) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT name FROM delegation_app_passwords
		WHERE did = ? AND controller_did = ? ORDER BY name`, delegatedDID, controllerDID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list delegated app passwords of %s: %w", delegatedDID, err)
	}
	names, err := collect(rows, scanString)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list delegated app passwords of %s: %w", delegatedDID, err)
	}
	return names, nil
}
