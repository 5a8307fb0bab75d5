package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// PutAccountToken stores a token, replacing the account's earlier token of
// the same purpose.
func (s *Store) PutAccountToken(ctx context.Context, t store.AccountToken) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO account_tokens (purpose, did, hash, requested_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (purpose, did) DO UPDATE SET
		hash = excluded.hash, requested_at = excluded.requested_at`,
		string(t.Purpose), t.DID, t.Hash, micros(t.RequestedAt))
	if err != nil {
		return fmt.Errorf("postgres: put %s token of %s: %w", t.Purpose, t.DID, mapErr(err))
	}
	return nil
}

const accountTokenCols = `purpose, did, hash, requested_at`

func scanAccountToken(row pgx.Row) (store.AccountToken, error) {
	var (
		t         store.AccountToken
		purpose   string
		requested int64
	)
	if err := row.Scan(&purpose, &t.DID, &t.Hash, &requested); err != nil {
		return store.AccountToken{}, mapErr(err)
	}
	t.Purpose = store.TokenPurpose(purpose)
	t.RequestedAt = fromMicros(requested)
	return t, nil
}

// GetAccountToken returns the account's token of a purpose.
func (s *Store) GetAccountToken(ctx context.Context, purpose store.TokenPurpose, did string) (store.AccountToken, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+accountTokenCols+` FROM account_tokens
		WHERE purpose = $1 AND did = $2`, string(purpose), did)
	t, err := scanAccountToken(row)
	if err != nil {
		return store.AccountToken{}, fmt.Errorf("postgres: get %s token of %s: %w", purpose, did, err)
	}
	return t, nil
}

// FindAccountToken finds a token of a purpose by its hash.
func (s *Store) FindAccountToken(ctx context.Context, purpose store.TokenPurpose, hash []byte) (store.AccountToken, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+accountTokenCols+` FROM account_tokens
		WHERE purpose = $1 AND hash = $2`, string(purpose), hash)
	t, err := scanAccountToken(row)
	if err != nil {
		return store.AccountToken{}, fmt.Errorf("postgres: find %s token: %w", purpose, err)
	}
	return t, nil
}

// DeleteAccountToken removes the account's token of a purpose.
func (s *Store) DeleteAccountToken(ctx context.Context, purpose store.TokenPurpose, did string) error {
	err := s.execOne(ctx, `DELETE FROM account_tokens WHERE purpose = $1 AND did = $2`, string(purpose), did)
	if err != nil {
		return fmt.Errorf("postgres: delete %s token of %s: %w", purpose, did, err)
	}
	return nil
}

// inNamespace matches preferences whose type is the namespace or under it
// ($2 = "app.bsky" matches "app.bsky" and "app.bsky.actor.defs#..."), or
// every preference for the empty namespace. starts_with, unlike LIKE, gives
// "%" and "_" no meaning.
const inNamespace = `($2 = '' OR type = $2 OR starts_with(type, $2 || '.'))`

// GetPreferences returns the account's preferences of a namespace ("" for
// all), in the order they were put.
func (s *Store) GetPreferences(ctx context.Context, did, namespace string) ([]store.Preference, error) {
	rows, err := s.pool.Query(ctx, `SELECT type, value FROM preferences
		WHERE did = $1 AND `+inNamespace+` ORDER BY pos`, did, namespace)
	prefs, err := collect(rows, err, func(row pgx.Row) (store.Preference, error) {
		var p store.Preference
		return p, row.Scan(&p.Type, &p.Value)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get %s preferences of %s: %w", namespace, did, err)
	}
	return prefs, nil
}

// PutPreferences replaces the account's preferences of a namespace. The
// account's row is locked first (FOR NO KEY UPDATE, which does not block
// inserts referencing it), so concurrent puts for one account take turns;
// the new preferences go after every kept one.
func (s *Store) PutPreferences(ctx context.Context, did, namespace string, prefs []store.Preference) error {
	types := make([]string, len(prefs))
	values := make([][]byte, len(prefs))
	for i, p := range prefs {
		types[i], values[i] = p.Type, p.Value
	}
	err := s.write(ctx, func(ctx context.Context, tx *writeTx) error {
		tx.queueRow(`SELECT 1 FROM accounts WHERE did = $1 FOR NO KEY UPDATE`, scanExists, did)
		tx.queue(`DELETE FROM preferences WHERE did = $1 AND `+inNamespace, did, namespace)
		tx.queue(`INSERT INTO preferences (did, pos, type, value)
			SELECT $1, (SELECT coalesce(max(pos), 0) FROM preferences WHERE did = $1) + n, t, v
			FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS u (t, v, n)`, did, types, values)
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: put %s preferences of %s: %w", namespace, did, err)
	}
	return nil
}

// scanExists reads a row that must exist (store.ErrNotFound otherwise).
func scanExists(row pgx.Row) error {
	var one int
	return mapErr(row.Scan(&one))
}

// UseNonce records id as used until expires, or returns store.ErrConflict
// when it is recorded and not yet expired. An expired record is reused.
// Concurrent uses of one id are decided by the row: the second waits for
// the first and finds it unexpired.
func (s *Store) UseNonce(ctx context.Context, id string, expires time.Time) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO nonces (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE nonces.expires_at <= $3`, id, micros(expires), micros(time.Now()))
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("%w: nonce already used", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("postgres: use nonce: %w", mapErr(err))
	}
	return nil
}

// DeleteExpiredNonces forgets the nonces that expired before now.
func (s *Store) DeleteExpiredNonces(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM nonces WHERE expires_at < $1`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired nonces: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ReserveSigningKey stores a sealed key under its public did:key.
func (s *Store) ReserveSigningKey(ctx context.Context, k store.ReservedKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO reserved_keys (key_did, did, sealed, created_at)
		VALUES ($1, $2, $3, $4)`, k.KeyDID, nullText(k.DID), k.Sealed, micros(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: reserve signing key %s: %w", k.KeyDID, mapErr(err))
	}
	return nil
}

const reservedKeyCols = `key_did, did, sealed, created_at`

func scanReservedKey(row pgx.Row) (store.ReservedKey, error) {
	var (
		k       store.ReservedKey
		did     *string
		created int64
	)
	if err := row.Scan(&k.KeyDID, &did, &k.Sealed, &created); err != nil {
		return store.ReservedKey{}, mapErr(err)
	}
	k.DID = text(did)
	k.CreatedAt = fromMicros(created)
	return k, nil
}

// GetReservedKey returns a reserved key by its public did:key.
func (s *Store) GetReservedKey(ctx context.Context, keyDID string) (store.ReservedKey, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+reservedKeyCols+` FROM reserved_keys WHERE key_did = $1`, keyDID)
	k, err := scanReservedKey(row)
	if err != nil {
		return store.ReservedKey{}, fmt.Errorf("postgres: get reserved key %s: %w", keyDID, err)
	}
	return k, nil
}

// GetReservedKeyForDID returns the newest key reserved for a DID.
func (s *Store) GetReservedKeyForDID(ctx context.Context, did string) (store.ReservedKey, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+reservedKeyCols+` FROM reserved_keys WHERE did = $1
		ORDER BY created_at DESC, key_did DESC LIMIT 1`, did)
	k, err := scanReservedKey(row)
	if err != nil {
		return store.ReservedKey{}, fmt.Errorf("postgres: get reserved key for %s: %w", did, err)
	}
	return k, nil
}

// DeleteReservedKey removes a reserved key.
func (s *Store) DeleteReservedKey(ctx context.Context, keyDID string) error {
	if err := s.execOne(ctx, `DELETE FROM reserved_keys WHERE key_did = $1`, keyDID); err != nil {
		return fmt.Errorf("postgres: delete reserved key %s: %w", keyDID, err)
	}
	return nil
}
