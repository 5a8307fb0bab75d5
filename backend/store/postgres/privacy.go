package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// userKeyCols are the user_keys columns scanUserKey reads.
const userKeyCols = `did, key_id, kem_id, public_key, wrapped_seed, created_at, retired_at,
	backup, backup_at, recovery_confirmed_at`

// scanUserKey reads one user_keys row.
func scanUserKey(row pgx.Row) (store.UserKey, error) {
	var (
		k                          store.UserKey
		kem, created               int64
		retired, backupAt, confirm *int64
	)
	if err := row.Scan(&k.DID, &k.KeyID, &kem, &k.PublicKey, &k.WrappedSeed, &created, &retired,
		&k.Backup, &backupAt, &confirm); err != nil {
		return store.UserKey{}, mapErr(err)
	}
	k.KEMID, k.CreatedAt, k.RetiredAt = uint16(kem), fromMicros(created), fromNullMicros(retired)
	k.BackupAt, k.RecoveryConfirmedAt = fromNullMicros(backupAt), fromNullMicros(confirm)
	return k, nil
}

// nonNilBytes stores a nil byte slice as an empty bytea, not NULL.
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// CreateUserKey inserts the account's active key.
func (s *Store) CreateUserKey(ctx context.Context, k store.UserKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO user_keys (did, key_id, kem_id, public_key, wrapped_seed, created_at, retired_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.DID, k.KeyID, int64(k.KEMID), nonNilBytes(k.PublicKey), k.WrappedSeed,
		micros(k.CreatedAt), nullMicros(k.RetiredAt))
	if err != nil {
		return fmt.Errorf("postgres: create user key %s of %s: %w", k.KeyID, k.DID, mapErr(err))
	}
	return nil
}

// GetUserKey returns the account's active key.
func (s *Store) GetUserKey(ctx context.Context, did string) (store.UserKey, error) {
	k, err := scanUserKey(s.pool.QueryRow(ctx, `SELECT `+userKeyCols+` FROM user_keys
		WHERE did = $1 AND retired_at IS NULL`, did))
	if err != nil {
		return store.UserKey{}, fmt.Errorf("postgres: get user key of %s: %w", did, err)
	}
	return k, nil
}

// ListUserKeys lists the account's keys, oldest first.
func (s *Store) ListUserKeys(ctx context.Context, did string) ([]store.UserKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userKeyCols+` FROM user_keys WHERE did = $1
		ORDER BY created_at, key_id`, did)
	ks, err := collect(rows, err, scanUserKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: list user keys of %s: %w", did, err)
	}
	return ks, nil
}

// RewrapUserKey replaces a key's wrapped seed.
func (s *Store) RewrapUserKey(ctx context.Context, did, keyID string, wrappedSeed []byte) error {
	if err := s.execOne(ctx, `UPDATE user_keys SET wrapped_seed = $1 WHERE did = $2 AND key_id = $3`, wrappedSeed, did, keyID); err != nil {
		return fmt.Errorf("postgres: rewrap user key %s of %s: %w", keyID, did, err)
	}
	return nil
}

// SetKeyBackup stores or removes a key's passphrase backup.
func (s *Store) SetKeyBackup(ctx context.Context, did, keyID string, backup []byte, at time.Time) error {
	var when *int64
	if backup != nil {
		when = nullMicros(&at)
	}
	if err := s.execOne(ctx, `UPDATE user_keys SET backup = $1, backup_at = $2 WHERE did = $3 AND key_id = $4`,
		backup, when, did, keyID); err != nil {
		return fmt.Errorf("postgres: set key backup %s of %s: %w", keyID, did, err)
	}
	return nil
}

// ConfirmRecoveryCode records when the recovery code was confirmed.
func (s *Store) ConfirmRecoveryCode(ctx context.Context, did, keyID string, at time.Time) error {
	if err := s.execOne(ctx, `UPDATE user_keys SET recovery_confirmed_at = $1 WHERE did = $2 AND key_id = $3`,
		micros(at), did, keyID); err != nil {
		return fmt.Errorf("postgres: confirm recovery code %s of %s: %w", keyID, did, err)
	}
	return nil
}

// CreateKeyEpoch lands the rotation, its grants and the revocations. Two
// concurrent rotations to the same epoch collide on key_rotations' primary
// key, so only one lands.
func (s *Store) CreateKeyEpoch(ctx context.Context, r store.KeyRotation, grants []store.KeyGrant, revoke []string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock the newest epoch's row: grants being added (AddKeyGrants
		// holds it FOR SHARE) finish first, so the readers read below are
		// the ones that will exist.
		var cur int64
		err := tx.QueryRow(ctx, `SELECT epoch FROM key_rotations WHERE owner_did = $1 AND collection = $2
			ORDER BY epoch DESC LIMIT 1 FOR UPDATE`, r.OwnerDID, r.Collection).Scan(&cur)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if uint64(cur)+1 != r.Epoch {
			return fmt.Errorf("%w: epoch %d follows %d, not %d", store.ErrConflict, r.Epoch, cur, r.Epoch-1)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO key_rotations (owner_did, collection, epoch, reason, actor_did, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.OwnerDID, r.Collection, int64(r.Epoch), r.Reason, r.ActorDID, micros(r.CreatedAt)); err != nil {
			return err
		}
		if len(revoke) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE key_grants SET revoked_at = $1 WHERE owner_did = $2 AND collection = $3
				AND grantee_did = ANY($4) AND revoked_at IS NULL`, micros(r.CreatedAt), r.OwnerDID, r.Collection, revoke); err != nil {
				return err
			}
		}
		for _, g := range grants {
			if g.OwnerDID != r.OwnerDID || g.Collection != r.Collection || g.Epoch != r.Epoch {
				return fmt.Errorf("grant to %s is not for the new epoch", g.GranteeDID)
			}
		}
		if cur > 0 {
			rows, err := tx.Query(ctx, `SELECT grantee_did FROM key_grants
				WHERE owner_did = $1 AND collection = $2 AND epoch = $3 AND revoked_at IS NULL`,
				r.OwnerDID, r.Collection, cur)
			if err != nil {
				return err
			}
			readers, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if err := store.SameReaders(readers, grants); err != nil {
				return err
			}
		}
		return insertKeyGrants(ctx, tx, grants)
	})
	if err != nil {
		return fmt.Errorf("postgres: create key epoch %d of %s %s: %w", r.Epoch, r.OwnerDID, r.Collection, mapErr(err))
	}
	return nil
}

// insertKeyGrants inserts grants in tx.
func insertKeyGrants(ctx context.Context, tx pgx.Tx, grants []store.KeyGrant) error {
	for _, g := range grants {
		if _, err := tx.Exec(ctx, `INSERT INTO key_grants (owner_did, collection, epoch, grantee_did, grantee_key_id,
			kem_id, sealed_key, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			g.OwnerDID, g.Collection, int64(g.Epoch), g.GranteeDID, g.GranteeKeyID, int64(g.KEMID), nonNilBytes(g.SealedKey),
			micros(g.CreatedAt), nullMicros(g.RevokedAt)); err != nil {
			return fmt.Errorf("grant epoch %d to %s: %w", g.Epoch, g.GranteeDID, mapErr(err))
		}
	}
	return nil
}

// CurrentKeyEpoch returns the collection's newest epoch.
func (s *Store) CurrentKeyEpoch(ctx context.Context, owner, collection string) (uint64, error) {
	var cur *int64
	if err := s.pool.QueryRow(ctx, `SELECT max(epoch) FROM key_rotations WHERE owner_did = $1 AND collection = $2`,
		owner, collection).Scan(&cur); err != nil {
		return 0, fmt.Errorf("postgres: current key epoch of %s %s: %w", owner, collection, mapErr(err))
	}
	if cur == nil {
		return 0, fmt.Errorf("postgres: current key epoch of %s %s: %w", owner, collection, store.ErrNotFound)
	}
	return uint64(*cur), nil
}

// scanRotation reads one key_rotations row.
func scanRotation(row pgx.Row) (store.KeyRotation, error) {
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
	rows, err := s.pool.Query(ctx, `SELECT owner_did, collection, epoch, reason, actor_did, created_at
		FROM key_rotations WHERE owner_did = $1 AND ($2 = '' OR collection = $2) ORDER BY collection, epoch`, owner, collection)
	rs, err := collect(rows, err, scanRotation)
	if err != nil {
		return nil, fmt.Errorf("postgres: list key rotations of %s %s: %w", owner, collection, err)
	}
	return rs, nil
}

// AddKeyGrants inserts grants of existing epochs.
func (s *Store) AddKeyGrants(ctx context.Context, grants []store.KeyGrant) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Hold each collection's newest epoch FOR SHARE: a rotation
		// (CreateKeyEpoch locks it FOR UPDATE) waits for these grants and
		// then counts their grantee among the readers it must reach.
		locked := map[[2]string]bool{}
		for _, g := range grants {
			k := [2]string{g.OwnerDID, g.Collection}
			if locked[k] {
				continue
			}
			locked[k] = true
			if _, err := tx.Exec(ctx, `SELECT epoch FROM key_rotations WHERE owner_did = $1 AND collection = $2
				ORDER BY epoch DESC LIMIT 1 FOR SHARE`, g.OwnerDID, g.Collection); err != nil {
				return err
			}
		}
		return insertKeyGrants(ctx, tx, grants)
	})
	if err != nil {
		return fmt.Errorf("postgres: add key grants: %w", mapErr(err))
	}
	return nil
}

// keyGrantCols are the key_grants columns scanKeyGrant reads.
const keyGrantCols = `owner_did, collection, epoch, grantee_did, grantee_key_id, kem_id, sealed_key, created_at, revoked_at`

// scanKeyGrant reads one key_grants row.
func scanKeyGrant(row pgx.Row) (store.KeyGrant, error) {
	var (
		g              store.KeyGrant
		epoch, kem, at int64
		revoked        *int64
	)
	if err := row.Scan(&g.OwnerDID, &g.Collection, &epoch, &g.GranteeDID, &g.GranteeKeyID, &kem, &g.SealedKey, &at, &revoked); err != nil {
		return store.KeyGrant{}, err
	}
	g.Epoch, g.KEMID, g.CreatedAt, g.RevokedAt = uint64(epoch), uint16(kem), fromMicros(at), fromNullMicros(revoked)
	return g, nil
}

// ListKeyGrants lists matching grants.
func (s *Store) ListKeyGrants(ctx context.Context, f store.KeyGrantFilter) ([]store.KeyGrant, error) {
	where, args := []string{"owner_did = $1"}, []any{f.OwnerDID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+" = $"+strconv.Itoa(len(args)))
	}
	if f.Collection != "" {
		add("collection", f.Collection)
	}
	if f.GranteeDID != "" {
		add("grantee_did", f.GranteeDID)
	}
	if f.Epoch != 0 {
		add("epoch", int64(f.Epoch))
	}
	if !f.IncludeRevoked {
		where = append(where, "revoked_at IS NULL")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+keyGrantCols+` FROM key_grants WHERE `+strings.Join(where, " AND ")+
		` ORDER BY collection, epoch, grantee_did, id`, args...)
	gs, err := collect(rows, err, scanKeyGrant)
	if err != nil {
		return nil, fmt.Errorf("postgres: list key grants of %s: %w", f.OwnerDID, err)
	}
	return gs, nil
}

// PutPrivateRecord upserts an envelope.
func (s *Store) PutPrivateRecord(ctx context.Context, r store.PrivateRecord) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO private_records (owner_did, collection, rkey_mac, epoch, envelope, cid, rev)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (owner_did, collection, rkey_mac) DO UPDATE
		SET epoch = excluded.epoch, envelope = excluded.envelope, cid = excluded.cid, rev = excluded.rev`,
		r.OwnerDID, r.Collection, nonNilBytes(r.RKeyMAC), int64(r.Epoch), nonNilBytes(r.Envelope), r.CID.Bytes(), r.Rev)
	if err != nil {
		return fmt.Errorf("postgres: put private record in %s %s: %w", r.OwnerDID, r.Collection, mapErr(err))
	}
	return nil
}

// PutPrivateRecords replaces existing envelopes, all or none.
func (s *Store) PutPrivateRecords(ctx context.Context, rs []store.PrivateRecordUpdate) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, r := range rs {
			tag, err := tx.Exec(ctx, `UPDATE private_records SET epoch = $1, envelope = $2, cid = $3, rev = $4
				WHERE owner_did = $5 AND collection = $6 AND rkey_mac = $7 AND epoch = $8`,
				int64(r.Epoch), nonNilBytes(r.Envelope), r.CID.Bytes(), r.Rev, r.OwnerDID, r.Collection, nonNilBytes(r.RKeyMAC), int64(r.Prev))
			if err != nil {
				return err
			}
			if errors.Is(oneRow(tag), store.ErrNotFound) {
				return fmt.Errorf("%w: a record changed or went away meanwhile", store.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: replace private records: %w", mapErr(err))
	}
	return nil
}

// privateRecordCols are the private_records columns scanPrivateRecord reads.
const privateRecordCols = `owner_did, collection, rkey_mac, epoch, envelope, cid, rev`

// scanPrivateRecord reads one private_records row.
func scanPrivateRecord(row pgx.Row) (store.PrivateRecord, error) {
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
	r, err := scanPrivateRecord(s.pool.QueryRow(ctx, `SELECT `+privateRecordCols+` FROM private_records
		WHERE owner_did = $1 AND collection = $2 AND rkey_mac = $3`, owner, collection, nonNilBytes(rkeyMAC)))
	if err != nil {
		return store.PrivateRecord{}, fmt.Errorf("postgres: get private record in %s %s: %w", owner, collection, err)
	}
	return r, nil
}

// ListPrivateRecords pages a collection by rkey MAC.
func (s *Store) ListPrivateRecords(ctx context.Context, owner, collection string, opts store.PrivateListOptions) ([]store.PrivateRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+privateRecordCols+` FROM private_records
		WHERE owner_did = $1 AND collection = $2 AND rkey_mac > $3 AND ($4::bigint = 0 OR epoch <= $4::bigint)
		ORDER BY rkey_mac LIMIT $5`, owner, collection, nonNilBytes(opts.After), int64(opts.MaxEpoch), sqlLimit(opts.Limit))
	rs, err := collect(rows, err, scanPrivateRecord)
	if err != nil {
		return nil, fmt.Errorf("postgres: list private records in %s %s: %w", owner, collection, err)
	}
	return rs, nil
}

// DeletePrivateRecord removes one envelope.
func (s *Store) DeletePrivateRecord(ctx context.Context, owner, collection string, rkeyMAC []byte) error {
	if err := s.execOne(ctx, `DELETE FROM private_records WHERE owner_did = $1 AND collection = $2 AND rkey_mac = $3`,
		owner, collection, nonNilBytes(rkeyMAC)); err != nil {
		return fmt.Errorf("postgres: delete private record in %s %s: %w", owner, collection, err)
	}
	return nil
}

// ListPrivateCollections summarises the owner's private collections.
func (s *Store) ListPrivateCollections(ctx context.Context, owner string) ([]store.PrivateCollection, error) {
	rows, err := s.pool.Query(ctx, `SELECT k.collection, max(k.epoch),
		(SELECT count(*) FROM private_records p WHERE p.owner_did = k.owner_did AND p.collection = k.collection)
		FROM key_rotations k WHERE k.owner_did = $1 GROUP BY k.owner_did, k.collection ORDER BY k.collection`, owner)
	cs, err := collect(rows, err, func(row pgx.Row) (store.PrivateCollection, error) {
		var (
			c     store.PrivateCollection
			epoch int64
		)
		err := row.Scan(&c.Collection, &epoch, &c.Records)
		c.Epoch = uint64(epoch)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list private collections of %s: %w", owner, err)
	}
	return cs, nil
}

// PutPrivateBlob records an encrypted blob.
func (s *Store) PutPrivateBlob(ctx context.Context, b store.PrivateBlob) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO private_blobs (owner_did, cid, size, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (owner_did, cid) DO UPDATE SET created_at = excluded.created_at`,
		b.OwnerDID, b.CID.Bytes(), b.Size, micros(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put private blob %s of %s: %w", b.CID, b.OwnerDID, mapErr(err))
	}
	return nil
}

// scanPrivateBlob reads one private_blobs row.
func scanPrivateBlob(row pgx.Row) (store.PrivateBlob, error) {
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
	b, err := scanPrivateBlob(s.pool.QueryRow(ctx, `SELECT owner_did, cid, size, created_at FROM private_blobs
		WHERE owner_did = $1 AND cid = $2`, owner, c.Bytes()))
	if err != nil {
		return store.PrivateBlob{}, fmt.Errorf("postgres: get private blob %s of %s: %w", c, owner, err)
	}
	return b, nil
}

// ListPrivateBlobs pages an owner's private blobs by CID bytes.
func (s *Store) ListPrivateBlobs(ctx context.Context, owner string, cursor cid.Cid, limit int) ([]store.PrivateBlob, error) {
	after := []byte{}
	if cursor.Defined() {
		after = cursor.Bytes()
	}
	rows, err := s.pool.Query(ctx, `SELECT owner_did, cid, size, created_at FROM private_blobs
		WHERE owner_did = $1 AND cid > $2 ORDER BY cid LIMIT $3`, owner, after, sqlLimit(limit))
	bs, err := collect(rows, err, scanPrivateBlob)
	if err != nil {
		return nil, fmt.Errorf("postgres: list private blobs of %s: %w", owner, err)
	}
	return bs, nil
}

// DeletePrivateBlob removes a private blob's metadata.
func (s *Store) DeletePrivateBlob(ctx context.Context, owner string, c cid.Cid) error {
	if err := s.execOne(ctx, `DELETE FROM private_blobs WHERE owner_did = $1 AND cid = $2`, owner, c.Bytes()); err != nil {
		return fmt.Errorf("postgres: delete private blob %s of %s: %w", c, owner, err)
	}
	return nil
}
