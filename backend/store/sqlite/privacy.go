package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// userKeyCols are the user_keys columns scanUserKey reads.
const userKeyCols = `did, key_id, kem_id, public_key, wrapped_seed, created_at, retired_at,
	backup, backup_at, recovery_confirmed_at`

// scanUserKey reads one user_keys row.
func scanUserKey(row scanner) (store.UserKey, error) {
	var (
		k                          store.UserKey
		kem                        int64
		created                    int64
		retired, backupAt, confirm sql.NullInt64
	)
	if err := row.Scan(&k.DID, &k.KeyID, &kem, &k.PublicKey, &k.WrappedSeed, &created, &retired,
		&k.Backup, &backupAt, &confirm); err != nil {
		return store.UserKey{}, mapErr(err)
	}
	k.KEMID, k.CreatedAt, k.RetiredAt = uint16(kem), fromMicros(created), fromNullMicros(retired)
	k.BackupAt, k.RecoveryConfirmedAt = fromNullMicros(backupAt), fromNullMicros(confirm)
	return k, nil
}

// CreateUserKey inserts the account's active key.
func (s *Store) CreateUserKey(ctx context.Context, k store.UserKey) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO user_keys (did, key_id, kem_id, public_key, wrapped_seed, created_at, retired_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.DID, k.KeyID, int64(k.KEMID), nonNil(k.PublicKey), k.WrappedSeed, micros(k.CreatedAt), nullMicros(k.RetiredAt))
	if err != nil {
		return fmt.Errorf("sqlite: create user key %s of %s: %w", k.KeyID, k.DID, mapErr(err))
	}
	return nil
}

// GetUserKey returns the account's active key.
func (s *Store) GetUserKey(ctx context.Context, did string) (store.UserKey, error) {
	k, err := scanUserKey(s.reader.QueryRowContext(ctx, `SELECT `+userKeyCols+` FROM user_keys
		WHERE did = ? AND retired_at IS NULL`, did))
	if err != nil {
		return store.UserKey{}, fmt.Errorf("sqlite: get user key of %s: %w", did, err)
	}
	return k, nil
}

// ListUserKeys lists the account's keys, oldest first.
func (s *Store) ListUserKeys(ctx context.Context, did string) ([]store.UserKey, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+userKeyCols+` FROM user_keys WHERE did = ?
		ORDER BY created_at, key_id`, did)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list user keys of %s: %w", did, err)
	}
	ks, err := collect(rows, scanUserKey)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list user keys of %s: %w", did, err)
	}
	return ks, nil
}

// RewrapUserKey replaces a key's wrapped seed.
func (s *Store) RewrapUserKey(ctx context.Context, did, keyID string, wrappedSeed []byte) error {
	if err := s.execOne(ctx, `UPDATE user_keys SET wrapped_seed = ? WHERE did = ? AND key_id = ?`, wrappedSeed, did, keyID); err != nil {
		return fmt.Errorf("sqlite: rewrap user key %s of %s: %w", keyID, did, err)
	}
	return nil
}

// SetKeyBackup stores or removes a key's passphrase backup.
func (s *Store) SetKeyBackup(ctx context.Context, did, keyID string, backup []byte, at time.Time) error {
	var when sql.NullInt64
	if backup != nil {
		when = sql.NullInt64{Int64: micros(at), Valid: true}
	}
	if err := s.execOne(ctx, `UPDATE user_keys SET backup = ?, backup_at = ? WHERE did = ? AND key_id = ?`,
		backup, when, did, keyID); err != nil {
		return fmt.Errorf("sqlite: set key backup %s of %s: %w", keyID, did, err)
	}
	return nil
}

// ConfirmRecoveryCode records when the recovery code was confirmed.
func (s *Store) ConfirmRecoveryCode(ctx context.Context, did, keyID string, at time.Time) error {
	if err := s.execOne(ctx, `UPDATE user_keys SET recovery_confirmed_at = ? WHERE did = ? AND key_id = ?`,
		micros(at), did, keyID); err != nil {
		return fmt.Errorf("sqlite: confirm recovery code %s of %s: %w", keyID, did, err)
	}
	return nil
}

// CreateKeyEpoch lands the rotation, its grants and the revocations.
func (s *Store) CreateKeyEpoch(ctx context.Context, r store.KeyRotation, grants []store.KeyGrant, revoke []string) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		var cur int64
		if err := w.tx.QueryRowContext(w.ctx, `SELECT coalesce(max(epoch), 0) FROM key_rotations
			WHERE owner_did = ? AND collection = ?`, r.OwnerDID, r.Collection).Scan(&cur); err != nil {
			return err
		}
		if uint64(cur)+1 != r.Epoch {
			return fmt.Errorf("%w: epoch %d follows %d, not %d", store.ErrConflict, r.Epoch, cur, r.Epoch-1)
		}
		if _, err := w.exec(`INSERT INTO key_rotations (owner_did, collection, epoch, reason, actor_did, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.OwnerDID, r.Collection, int64(r.Epoch), r.Reason, r.ActorDID, micros(r.CreatedAt)); err != nil {
			return err
		}
		for _, did := range revoke {
			if _, err := w.exec(`UPDATE key_grants SET revoked_at = ? WHERE owner_did = ? AND collection = ?
				AND grantee_did = ? AND revoked_at IS NULL`, micros(r.CreatedAt), r.OwnerDID, r.Collection, did); err != nil {
				return err
			}
		}
		for _, g := range grants {
			if g.OwnerDID != r.OwnerDID || g.Collection != r.Collection || g.Epoch != r.Epoch {
				return fmt.Errorf("grant to %s is not for the new epoch", g.GranteeDID)
			}
		}
		if cur > 0 {
			readers, err := w.activeReaders(r.OwnerDID, r.Collection, cur)
			if err != nil {
				return err
			}
			if err := store.SameReaders(readers, grants); err != nil {
				return err
			}
		}
		return w.insertKeyGrants(grants)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create key epoch %d of %s %s: %w", r.Epoch, r.OwnerDID, r.Collection, err)
	}
	return nil
}

// activeReaders lists the DIDs with an active grant at epoch.
func (w *writeTx) activeReaders(owner, collection string, epoch int64) ([]string, error) {
	rows, err := w.tx.QueryContext(w.ctx, `SELECT DISTINCT grantee_did FROM key_grants
		WHERE owner_did = ? AND collection = ? AND epoch = ? AND revoked_at IS NULL`, owner, collection, epoch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// insertKeyGrants inserts grants.
func (w *writeTx) insertKeyGrants(grants []store.KeyGrant) error {
	for _, g := range grants {
		if _, err := w.exec(`INSERT INTO key_grants (owner_did, collection, epoch, grantee_did, grantee_key_id,
			kem_id, sealed_key, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.OwnerDID, g.Collection, int64(g.Epoch), g.GranteeDID, g.GranteeKeyID, int64(g.KEMID), nonNil(g.SealedKey),
			micros(g.CreatedAt), nullMicros(g.RevokedAt)); err != nil {
			return fmt.Errorf("grant epoch %d to %s: %w", g.Epoch, g.GranteeDID, err)
		}
	}
	return nil
}

// CurrentKeyEpoch returns the collection's newest epoch.
func (s *Store) CurrentKeyEpoch(ctx context.Context, owner, collection string) (uint64, error) {
	var cur sql.NullInt64
	if err := s.reader.QueryRowContext(ctx, `SELECT max(epoch) FROM key_rotations WHERE owner_did = ? AND collection = ?`,
		owner, collection).Scan(&cur); err != nil {
		return 0, fmt.Errorf("sqlite: current key epoch of %s %s: %w", owner, collection, err)
	}
	if !cur.Valid {
		return 0, fmt.Errorf("sqlite: current key epoch of %s %s: %w", owner, collection, store.ErrNotFound)
	}
	return uint64(cur.Int64), nil
}

// scanRotation reads one key_rotations row.
func scanRotation(row scanner) (store.KeyRotation, error) {
	var (
		r         store.KeyRotation
		epoch, at int64
	)
	if err := row.Scan(&r.OwnerDID, &r.Collection, &epoch, &r.Reason, &r.ActorDID, &at); err != nil {
		return store.KeyRotation{}, err
	}
	r.Epoch, r.CreatedAt = uint64(epoch), fromMicros(at)
	return r, nil
}

// ListKeyRotations lists rotations, oldest first.
func (s *Store) ListKeyRotations(ctx context.Context, owner, collection string) ([]store.KeyRotation, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT owner_did, collection, epoch, reason, actor_did, created_at
		FROM key_rotations WHERE owner_did = ?1 AND (?2 = '' OR collection = ?2) ORDER BY collection, epoch`, owner, collection)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list key rotations of %s %s: %w", owner, collection, err)
	}
	rs, err := collect(rows, scanRotation)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list key rotations of %s %s: %w", owner, collection, err)
	}
	return rs, nil
}

// AddKeyGrants inserts grants of existing epochs.
func (s *Store) AddKeyGrants(ctx context.Context, grants []store.KeyGrant) error {
	if err := s.inTx(ctx, func(w *writeTx) error { return w.insertKeyGrants(grants) }); err != nil {
		return fmt.Errorf("sqlite: add key grants: %w", err)
	}
	return nil
}

// keyGrantCols are the key_grants columns scanKeyGrant reads.
const keyGrantCols = `owner_did, collection, epoch, grantee_did, grantee_key_id, kem_id, sealed_key, created_at, revoked_at`

// scanKeyGrant reads one key_grants row.
func scanKeyGrant(row scanner) (store.KeyGrant, error) {
	var (
		g              store.KeyGrant
		epoch, kem, at int64
		revoked        sql.NullInt64
	)
	if err := row.Scan(&g.OwnerDID, &g.Collection, &epoch, &g.GranteeDID, &g.GranteeKeyID, &kem, &g.SealedKey, &at, &revoked); err != nil {
		return store.KeyGrant{}, err
	}
	g.Epoch, g.KEMID, g.CreatedAt, g.RevokedAt = uint64(epoch), uint16(kem), fromMicros(at), fromNullMicros(revoked)
	return g, nil
}

// ListKeyGrants lists matching grants.
func (s *Store) ListKeyGrants(ctx context.Context, f store.KeyGrantFilter) ([]store.KeyGrant, error) {
	where, args := []string{"owner_did = ?"}, []any{f.OwnerDID}
	if f.Collection != "" {
		where, args = append(where, "collection = ?"), append(args, f.Collection)
	}
	if f.GranteeDID != "" {
		where, args = append(where, "grantee_did = ?"), append(args, f.GranteeDID)
	}
	if f.Epoch != 0 {
		where, args = append(where, "epoch = ?"), append(args, int64(f.Epoch))
	}
	if !f.IncludeRevoked {
		where = append(where, "revoked_at IS NULL")
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT `+keyGrantCols+` FROM key_grants WHERE `+strings.Join(where, " AND ")+
		` ORDER BY collection, epoch, grantee_did, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list key grants of %s: %w", f.OwnerDID, err)
	}
	gs, err := collect(rows, scanKeyGrant)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list key grants of %s: %w", f.OwnerDID, err)
	}
	return gs, nil
}

// PutPrivateRecord upserts an envelope.
func (s *Store) PutPrivateRecord(ctx context.Context, r store.PrivateRecord) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO private_records (owner_did, collection, rkey_mac, epoch, envelope, cid, rev)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner_did, collection, rkey_mac) DO UPDATE
		SET epoch = excluded.epoch, envelope = excluded.envelope, cid = excluded.cid, rev = excluded.rev`,
		r.OwnerDID, r.Collection, nonNil(r.RKeyMAC), int64(r.Epoch), nonNil(r.Envelope), cidBytes(r.CID), r.Rev)
	if err != nil {
		return fmt.Errorf("sqlite: put private record in %s %s: %w", r.OwnerDID, r.Collection, mapErr(err))
	}
	return nil
}

// PutPrivateRecords replaces existing envelopes, all or none.
func (s *Store) PutPrivateRecords(ctx context.Context, rs []store.PrivateRecordUpdate) error {
	err := s.inTx(ctx, func(w *writeTx) error {
		for _, r := range rs {
			err := w.execOne(`UPDATE private_records SET epoch = ?, envelope = ?, cid = ?, rev = ?
				WHERE owner_did = ? AND collection = ? AND rkey_mac = ? AND epoch = ?`,
				int64(r.Epoch), nonNil(r.Envelope), cidBytes(r.CID), r.Rev, r.OwnerDID, r.Collection, r.RKeyMAC, int64(r.Prev))
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: a record changed or went away meanwhile", store.ErrConflict)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: replace private records: %w", err)
	}
	return nil
}

// privateRecordCols are the private_records columns scanPrivateRecord reads.
const privateRecordCols = `owner_did, collection, rkey_mac, epoch, envelope, cid, rev`

// scanPrivateRecord reads one private_records row.
func scanPrivateRecord(row scanner) (store.PrivateRecord, error) {
	var (
		r     store.PrivateRecord
		epoch int64
		c     []byte
	)
	if err := row.Scan(&r.OwnerDID, &r.Collection, &r.RKeyMAC, &epoch, &r.Envelope, &c, &r.Rev); err != nil {
		return store.PrivateRecord{}, mapErr(err)
	}
	r.Epoch = uint64(epoch)
	var err error
	r.CID, err = parseCID(c)
	return r, err
}

// GetPrivateRecord returns one envelope.
func (s *Store) GetPrivateRecord(ctx context.Context, owner, collection string, rkeyMAC []byte) (store.PrivateRecord, error) {
	r, err := scanPrivateRecord(s.reader.QueryRowContext(ctx, `SELECT `+privateRecordCols+` FROM private_records
		WHERE owner_did = ? AND collection = ? AND rkey_mac = ?`, owner, collection, nonNil(rkeyMAC)))
	if err != nil {
		return store.PrivateRecord{}, fmt.Errorf("sqlite: get private record in %s %s: %w", owner, collection, err)
	}
	return r, nil
}

// ListPrivateRecords pages a collection by rkey MAC.
func (s *Store) ListPrivateRecords(ctx context.Context, owner, collection string, opts store.PrivateListOptions) ([]store.PrivateRecord, error) {
	limit := int64(-1)
	if opts.Limit > 0 {
		limit = int64(opts.Limit)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT `+privateRecordCols+` FROM private_records
		WHERE owner_did = ?1 AND collection = ?2 AND rkey_mac > ?3 AND (?4 = 0 OR epoch <= ?4)
		ORDER BY rkey_mac LIMIT ?5`, owner, collection, nonNil(opts.After), int64(opts.MaxEpoch), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list private records in %s %s: %w", owner, collection, err)
	}
	rs, err := collect(rows, scanPrivateRecord)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list private records in %s %s: %w", owner, collection, err)
	}
	return rs, nil
}

// DeletePrivateRecord removes one envelope.
func (s *Store) DeletePrivateRecord(ctx context.Context, owner, collection string, rkeyMAC []byte) error {
	if err := s.execOne(ctx, `DELETE FROM private_records WHERE owner_did = ? AND collection = ? AND rkey_mac = ?`,
		owner, collection, nonNil(rkeyMAC)); err != nil {
		return fmt.Errorf("sqlite: delete private record in %s %s: %w", owner, collection, err)
	}
	return nil
}

// ListPrivateCollections summarises the owner's private collections.
func (s *Store) ListPrivateCollections(ctx context.Context, owner string) ([]store.PrivateCollection, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT k.collection, max(k.epoch),
		(SELECT count(*) FROM private_records p WHERE p.owner_did = k.owner_did AND p.collection = k.collection)
		FROM key_rotations k WHERE k.owner_did = ? GROUP BY k.owner_did, k.collection ORDER BY k.collection`, owner)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list private collections of %s: %w", owner, err)
	}
	cs, err := collect(rows, func(row scanner) (store.PrivateCollection, error) {
		var (
			c     store.PrivateCollection
			epoch int64
		)
		err := row.Scan(&c.Collection, &epoch, &c.Records)
		c.Epoch = uint64(epoch)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list private collections of %s: %w", owner, err)
	}
	return cs, nil
}

// PutPrivateBlob records an encrypted blob.
func (s *Store) PutPrivateBlob(ctx context.Context, b store.PrivateBlob) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO private_blobs (owner_did, cid, size, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (owner_did, cid) DO UPDATE SET created_at = excluded.created_at`,
		b.OwnerDID, cidBytes(b.CID), b.Size, micros(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put private blob %s of %s: %w", b.CID, b.OwnerDID, mapErr(err))
	}
	return nil
}

// scanPrivateBlob reads one private_blobs row.
func scanPrivateBlob(row scanner) (store.PrivateBlob, error) {
	var (
		b  store.PrivateBlob
		c  []byte
		at int64
	)
	if err := row.Scan(&b.OwnerDID, &c, &b.Size, &at); err != nil {
		return store.PrivateBlob{}, mapErr(err)
	}
	b.CreatedAt = fromMicros(at)
	var err error
	b.CID, err = parseCID(c)
	return b, err
}

// GetPrivateBlob returns a private blob's metadata.
func (s *Store) GetPrivateBlob(ctx context.Context, owner string, c cid.Cid) (store.PrivateBlob, error) {
	b, err := scanPrivateBlob(s.reader.QueryRowContext(ctx, `SELECT owner_did, cid, size, created_at FROM private_blobs
		WHERE owner_did = ? AND cid = ?`, owner, cidBytes(c)))
	if err != nil {
		return store.PrivateBlob{}, fmt.Errorf("sqlite: get private blob %s of %s: %w", c, owner, err)
	}
	return b, nil
}

// ListPrivateBlobs pages an owner's private blobs by CID bytes.
func (s *Store) ListPrivateBlobs(ctx context.Context, owner string, cursor cid.Cid, limit int) ([]store.PrivateBlob, error) {
	after := []byte{}
	if cursor.Defined() {
		after = cursor.Bytes()
	}
	lim := int64(-1)
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT owner_did, cid, size, created_at FROM private_blobs
		WHERE owner_did = ? AND cid > ? ORDER BY cid LIMIT ?`, owner, after, lim)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list private blobs of %s: %w", owner, err)
	}
	bs, err := collect(rows, scanPrivateBlob)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list private blobs of %s: %w", owner, err)
	}
	return bs, nil
}

// DeletePrivateBlob removes a private blob's metadata.
func (s *Store) DeletePrivateBlob(ctx context.Context, owner string, c cid.Cid) error {
	if err := s.execOne(ctx, `DELETE FROM private_blobs WHERE owner_did = ? AND cid = ?`, owner, cidBytes(c)); err != nil {
		return fmt.Errorf("sqlite: delete private blob %s of %s: %w", c, owner, err)
	}
	return nil
}
