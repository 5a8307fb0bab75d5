-- Hearth schema, version 7 (PostgreSQL): private records (docs/private-records.md).
-- Encryption identities with their seeds sealed under the master key,
-- per-collection epochs, epoch keys HPKE-sealed to grantees, and opaque
-- envelopes and encrypted blobs. Nothing here is readable without keys the
-- database does not hold: records are keyed by an HMAC of their rkey.
-- Keep in step with ../../sqlite/migrations/00007_privacy.sql.

-- +goose Up
CREATE TABLE user_keys (
    did                   TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    key_id                TEXT COLLATE "C" NOT NULL,
    kem_id                BIGINT  NOT NULL,
    public_key            BYTEA   NOT NULL,
    wrapped_seed          BYTEA,
    created_at            BIGINT  NOT NULL,
    retired_at            BIGINT,
    backup                BYTEA,
    backup_at             BIGINT,
    recovery_confirmed_at BIGINT,
    PRIMARY KEY (did, key_id)
);
-- One active key per account.
CREATE UNIQUE INDEX user_keys_active ON user_keys (did) WHERE retired_at IS NULL;

CREATE TABLE key_rotations (
    owner_did  TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    collection TEXT COLLATE "C" NOT NULL,
    epoch      BIGINT  NOT NULL CHECK (epoch >= 1),
    reason     TEXT COLLATE "C" NOT NULL,
    actor_did  TEXT COLLATE "C" NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (owner_did, collection, epoch)
);

-- The grantee may live on another PDS: its DID is no foreign key.
CREATE TABLE key_grants (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_did      TEXT COLLATE "C" NOT NULL,
    collection     TEXT COLLATE "C" NOT NULL,
    epoch          BIGINT  NOT NULL,
    grantee_did    TEXT COLLATE "C" NOT NULL,
    grantee_key_id TEXT COLLATE "C" NOT NULL,
    kem_id         BIGINT  NOT NULL,
    sealed_key     BYTEA   NOT NULL,
    created_at     BIGINT  NOT NULL,
    revoked_at     BIGINT,
    FOREIGN KEY (owner_did, collection, epoch) REFERENCES key_rotations (owner_did, collection, epoch) ON DELETE CASCADE
);
CREATE UNIQUE INDEX key_grants_active ON key_grants (owner_did, collection, epoch, grantee_did)
    WHERE revoked_at IS NULL;
CREATE INDEX key_grants_grantee ON key_grants (grantee_did, owner_did, collection);

CREATE TABLE private_records (
    owner_did  TEXT COLLATE "C" NOT NULL,
    collection TEXT COLLATE "C" NOT NULL,
    rkey_mac   BYTEA   NOT NULL,
    epoch      BIGINT  NOT NULL,
    envelope   BYTEA   NOT NULL,
    cid        BYTEA   NOT NULL,
    rev        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (owner_did, collection, rkey_mac),
    FOREIGN KEY (owner_did, collection, epoch) REFERENCES key_rotations (owner_did, collection, epoch) ON DELETE CASCADE
);

CREATE TABLE private_blobs (
    owner_did  TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    cid        BYTEA   NOT NULL,
    size       BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (owner_did, cid)
);

-- +goose Down
DROP TABLE private_blobs;
DROP TABLE private_records;
DROP TABLE key_grants;
DROP TABLE key_rotations;
DROP TABLE user_keys;
