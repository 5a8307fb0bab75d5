package sqlite

import (
	"context"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// inNamespace matches preferences whose type is in the namespace ?2: the
// namespace itself or a name under it ("app.bsky" matches "app.bsky" and
// "app.bsky.actor.defs#savedFeedsPref", not "app.bskyx"); "" matches every
// type. It compares bytes: LIKE would fold case and read '_' and '%' as
// wildcards.
const inNamespace = `(?2 = '' OR type = ?2 OR substr(type, 1, length(?2) + 1) = ?2 || '.')`

// GetPreferences returns the account's preferences of a namespace, in the
// order they were put.
func (s *Store) GetPreferences(ctx context.Context, did, namespace string) ([]store.Preference, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT type, value FROM preferences
		WHERE did = ?1 AND `+inNamespace+` ORDER BY pos`, did, namespace)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %s preferences of %s: %w", namespace, did, err)
	}
	prefs, err := collect(rows, func(row scanner) (store.Preference, error) {
		var p store.Preference
		return p, row.Scan(&p.Type, &p.Value)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %s preferences of %s: %w", namespace, did, err)
	}
	return prefs, nil
}

// PutPreferences replaces the account's preferences of a namespace in one
// transaction; the new ones go after every preference kept, so each
// namespace reads back in the order it was put. An unknown account is
// store.ErrNotFound.
func (s *Store) PutPreferences(ctx context.Context, did, namespace string, prefs []store.Preference) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		var last int64
		err := w.tx.QueryRowContext(w.ctx, `SELECT coalesce((SELECT max(pos) FROM preferences
			WHERE did = ?1), 0) FROM accounts WHERE did = ?1`, did).Scan(&last)
		if err != nil {
			return mapErr(err) // no account row: store.ErrNotFound
		}
		if _, err := w.exec(`DELETE FROM preferences WHERE did = ?1 AND `+inNamespace, did, namespace); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		for i, p := range prefs {
			_, err := w.exec(`INSERT INTO preferences (did, pos, type, value) VALUES (?, ?, ?, ?)`,
				did, last+int64(i)+1, p.Type, nonNil(p.Value))
			if err != nil {
				return fmt.Errorf("insert %s: %w", p.Type, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put %s preferences of %s: %w", namespace, did, err)
	}
	return nil
}
