-- Hearth schema, version 4 (SQLite): the OAuth authorization server's
-- pushed requests (with their codes), refresh tokens and device sign-ins.
-- Codes, refresh tokens and device cookies are stored as SHA-256 hashes.
-- Keep in step with ../../postgres/migrations/00004_oauth.sql.

-- +goose Up
CREATE TABLE oauth_requests (
    id           TEXT    PRIMARY KEY,
    client_id    TEXT    NOT NULL,
    client_auth  TEXT    NOT NULL,
    dpop_jkt     TEXT    NOT NULL,
    params       BLOB    NOT NULL,
    expires_at   INTEGER NOT NULL,
    code_hash    BLOB,
    did          TEXT,
    scope        TEXT,
    actor_did    TEXT,
    code_used_at INTEGER,
    family_id    TEXT
);
CREATE UNIQUE INDEX oauth_requests_code_hash ON oauth_requests (code_hash);
CREATE INDEX oauth_requests_expires_at ON oauth_requests (expires_at);

CREATE TABLE oauth_tokens (
    hash              BLOB    PRIMARY KEY,
    family_id         TEXT    NOT NULL,
    did               TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    actor_did         TEXT,
    client_id         TEXT    NOT NULL,
    client_auth       TEXT    NOT NULL,
    dpop_jkt          TEXT    NOT NULL,
    scope             TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    family_expires_at INTEGER NOT NULL,
    rotated_at        INTEGER,
    revoked_at        INTEGER
);
CREATE INDEX oauth_tokens_family_id ON oauth_tokens (family_id);
CREATE INDEX oauth_tokens_did ON oauth_tokens (did, actor_did);
CREATE INDEX oauth_tokens_expires_at ON oauth_tokens (expires_at);

CREATE TABLE oauth_device_accounts (
    device_hash BLOB    NOT NULL,
    did         TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (device_hash, did)
);
CREATE INDEX oauth_device_accounts_expires_at ON oauth_device_accounts (expires_at);

-- +goose Down
DROP TABLE oauth_device_accounts;
DROP TABLE oauth_tokens;
DROP TABLE oauth_requests;
