-- Hearth schema, version 7 (SQLite): private records (docs/private-records.md).
-- Encryption identities with their seeds sealed under the master key,
-- per-collection epochs, epoch keys HPKE-sealed to grantees, and opaque
-- envelopes and encrypted blobs. Nothing here is readable without keys the
-- database does not hold: records are keyed by an HMAC of their rkey.
-- Keep in step with ../../postgres/migrations/00007_privacy.sql.

-- +goose Up
CREATE TABLE user_keys (
    did                   TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    key_id                TEXT    NOT NULL,
    kem_id                INTEGER NOT NULL,
    public_key            BLOB    NOT NULL,
    wrapped_seed          BLOB,
    created_at            INTEGER NOT NULL,
    retired_at            INTEGER,
    backup                BLOB,
    backup_at             INTEGER,
    recovery_confirmed_at INTEGER,
    PRIMARY KEY (did, key_id)
);
-- One active key per account.
CREATE UNIQUE INDEX user_keys_active ON user_keys (did) WHERE retired_at IS NULL;

CREATE TABLE key_rotations (
    owner_did  TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    epoch      INTEGER NOT NULL CHECK (epoch >= 1),
    reason     TEXT    NOT NULL,
    actor_did  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_did, collection, epoch)
);

-- The grantee may live on another PDS: its DID is no foreign key.
CREATE TABLE key_grants (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_did      TEXT    NOT NULL,
    collection     TEXT    NOT NULL,
    epoch          INTEGER NOT NULL,
    grantee_did    TEXT    NOT NULL,
    grantee_key_id TEXT    NOT NULL,
    kem_id         INTEGER NOT NULL,
    sealed_key     BLOB    NOT NULL,
    created_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    FOREIGN KEY (owner_did, collection, epoch) REFERENCES key_rotations (owner_did, collection, epoch) ON DELETE CASCADE
);
CREATE UNIQUE INDEX key_grants_active ON key_grants (owner_did, collection, epoch, grantee_did)
    WHERE revoked_at IS NULL;
CREATE INDEX key_grants_grantee ON key_grants (grantee_did, owner_did, collection);

CREATE TABLE private_records (
    owner_did  TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    rkey_mac   BLOB    NOT NULL,
    epoch      INTEGER NOT NULL,
    envelope   BLOB    NOT NULL,
    cid        BLOB    NOT NULL,
    rev        TEXT    NOT NULL,
    PRIMARY KEY (owner_did, collection, rkey_mac),
    FOREIGN KEY (owner_did, collection, epoch) REFERENCES key_rotations (owner_did, collection, epoch) ON DELETE CASCADE
);

CREATE TABLE private_blobs (
    owner_did  TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    cid        BLOB    NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_did, cid)
);

-- +goose Down
DROP TABLE private_blobs;
DROP TABLE private_records;
DROP TABLE key_grants;
DROP TABLE key_rotations;
DROP TABLE user_keys;
