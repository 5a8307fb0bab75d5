-- Hearth schema, version 2 (SQLite): account tokens, preferences, nonces,
-- reserved keys, moderation. Keep in step with
-- ../../postgres/migrations/00002_lifecycle.sql.

-- +goose Up
ALTER TABLE accounts ADD COLUMN takedown_ref TEXT;
ALTER TABLE accounts ADD COLUMN invites_disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN deactivated_at INTEGER;
ALTER TABLE records ADD COLUMN takedown_ref TEXT;
ALTER TABLE blobs ADD COLUMN takedown_ref TEXT;
-- The rev of the commit that first wrote each block (getRepo?since=).
ALTER TABLE blocks ADD COLUMN rev TEXT;
-- Blocks written before this version get their repo's current rev: never
-- earlier than the commit that wrote them, so getRepo?since= may send such
-- a block again but never leaves one out.
UPDATE blocks SET rev = (SELECT r.rev FROM repos r WHERE r.did = blocks.did);

CREATE TABLE account_tokens (
    purpose      TEXT    NOT NULL,
    did          TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    hash         BLOB    NOT NULL,
    requested_at INTEGER NOT NULL,
    PRIMARY KEY (purpose, did)
);
CREATE UNIQUE INDEX account_tokens_hash ON account_tokens (purpose, hash);

CREATE TABLE preferences (
    did   TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    pos   INTEGER NOT NULL,
    type  TEXT    NOT NULL,
    value BLOB    NOT NULL,
    PRIMARY KEY (did, pos)
);

CREATE TABLE nonces (
    id         TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX nonces_expires_at ON nonces (expires_at);

CREATE TABLE reserved_keys (
    key_did    TEXT    PRIMARY KEY,
    did        TEXT,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX reserved_keys_did ON reserved_keys (did);

-- +goose Down
DROP TABLE reserved_keys;
DROP TABLE nonces;
DROP TABLE preferences;
DROP TABLE account_tokens;
ALTER TABLE blocks DROP COLUMN rev;
ALTER TABLE blobs DROP COLUMN takedown_ref;
ALTER TABLE records DROP COLUMN takedown_ref;
ALTER TABLE accounts DROP COLUMN deactivated_at;
ALTER TABLE accounts DROP COLUMN invites_disabled;
ALTER TABLE accounts DROP COLUMN takedown_ref;
