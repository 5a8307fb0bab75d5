package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// PutAccountToken stores a token, replacing the account's earlier token of
// the same purpose. An unknown account is store.ErrNotFound; a hash already
// stored for another account is store.ErrConflict.
func (s *Store) PutAccountToken(ctx context.Context, t store.AccountToken) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO account_tokens (purpose, did, hash, requested_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (purpose, did) DO UPDATE SET
		hash = excluded.hash, requested_at = excluded.requested_at`,
		string(t.Purpose), t.DID, t.Hash, micros(t.RequestedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put %s token of %s: %w", t.Purpose, t.DID, mapErr(err))
	}
	return nil
}

const accountTokenCols = `purpose, did, hash, requested_at`

func scanAccountToken(row scanner) (store.AccountToken, error) {
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
	row := s.reader.QueryRowContext(ctx, `SELECT `+accountTokenCols+` FROM account_tokens
		WHERE purpose = ? AND did = ?`, string(purpose), did)
	t, err := scanAccountToken(row)
	if err != nil {
		return store.AccountToken{}, fmt.Errorf("sqlite: get %s token of %s: %w", purpose, did, err)
	}
	return t, nil
}

// FindAccountToken finds a token of a purpose by its hash.
func (s *Store) FindAccountToken(ctx context.Context, purpose store.TokenPurpose, hash []byte) (store.AccountToken, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+accountTokenCols+` FROM account_tokens
		WHERE purpose = ? AND hash = ?`, string(purpose), hash)
	t, err := scanAccountToken(row)
	if err != nil {
		return store.AccountToken{}, fmt.Errorf("sqlite: find %s token: %w", purpose, err)
	}
	return t, nil
}

// DeleteAccountToken removes the account's token of a purpose.
func (s *Store) DeleteAccountToken(ctx context.Context, purpose store.TokenPurpose, did string) error {
	err := s.execOne(ctx, `DELETE FROM account_tokens WHERE purpose = ? AND did = ?`, string(purpose), did)
	if err != nil {
		return fmt.Errorf("sqlite: delete %s token of %s: %w", purpose, did, err)
	}
	return nil
}

// UseNonce records id as used until expires, or returns store.ErrConflict
// when it is recorded and not yet expired; an expired record is reused. The
// single writer makes the check and the write one step.
func (s *Store) UseNonce(ctx context.Context, id string, expires time.Time) error {
	n, err := s.execCount(ctx, `INSERT INTO nonces (id, expires_at) VALUES (?1, ?2)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE nonces.expires_at <= ?3`, id, micros(expires), micros(time.Now()))
	if err == nil && n == 0 { // the row exists and is live: nothing changed
		err = fmt.Errorf("%w: nonce already used", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("sqlite: use nonce: %w", err)
	}
	return nil
}

// DeleteExpiredNonces forgets the nonces that expired before now.
func (s *Store) DeleteExpiredNonces(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.execCount(ctx, `DELETE FROM nonces WHERE expires_at < ?`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired nonces: %w", err)
	}
	return n, nil
}

// execCount runs a single-statement write and returns how many rows it
// changed.
func (s *Store) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.writer.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

// ReserveSigningKey stores a sealed key under its public did:key
// (store.ErrConflict if that key is already reserved).
func (s *Store) ReserveSigningKey(ctx context.Context, k store.ReservedKey) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO reserved_keys (key_did, did, sealed, created_at)
		VALUES (?, ?, ?, ?)`, k.KeyDID, nullString(k.DID), k.Sealed, micros(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: reserve signing key %s: %w", k.KeyDID, mapErr(err))
	}
	return nil
}

const reservedKeyCols = `key_did, did, sealed, created_at`

func scanReservedKey(row scanner) (store.ReservedKey, error) {
	var (
		k       store.ReservedKey
		did     sql.NullString
		created int64
	)
	if err := row.Scan(&k.KeyDID, &did, &k.Sealed, &created); err != nil {
		return store.ReservedKey{}, mapErr(err)
	}
	k.DID = did.String
	k.CreatedAt = fromMicros(created)
	return k, nil
}

// GetReservedKey returns a reserved key by its public did:key.
func (s *Store) GetReservedKey(ctx context.Context, keyDID string) (store.ReservedKey, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+reservedKeyCols+` FROM reserved_keys
		WHERE key_did = ?`, keyDID)
	k, err := scanReservedKey(row)
	if err != nil {
		return store.ReservedKey{}, fmt.Errorf("sqlite: get reserved key %s: %w", keyDID, err)
	}
	return k, nil
}

// GetReservedKeyForDID returns the newest key reserved for a DID ("" names
// no account, so it finds nothing).
func (s *Store) GetReservedKeyForDID(ctx context.Context, did string) (store.ReservedKey, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+reservedKeyCols+` FROM reserved_keys
		WHERE did = ? ORDER BY created_at DESC, key_did DESC LIMIT 1`, did)
	k, err := scanReservedKey(row)
	if err != nil {
		return store.ReservedKey{}, fmt.Errorf("sqlite: get reserved key for %s: %w", did, err)
	}
	return k, nil
}

// DeleteReservedKey removes a reserved key.
func (s *Store) DeleteReservedKey(ctx context.Context, keyDID string) error {
	if err := s.execOne(ctx, `DELETE FROM reserved_keys WHERE key_did = ?`, keyDID); err != nil {
		return fmt.Errorf("sqlite: delete reserved key %s: %w", keyDID, err)
	}
	return nil
}
