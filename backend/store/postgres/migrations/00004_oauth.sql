-- Hearth schema, version 4 (PostgreSQL): the OAuth authorization server's
-- pushed requests (with their codes), refresh tokens and device sign-ins.
-- Codes, refresh tokens and device cookies are stored as SHA-256 hashes.
-- Keep in step with ../../sqlite/migrations/00004_oauth.sql.

-- +goose Up
CREATE TABLE oauth_requests (
    id           TEXT COLLATE "C" PRIMARY KEY,
    client_id    TEXT COLLATE "C" NOT NULL,
    client_auth  TEXT COLLATE "C" NOT NULL,
    dpop_jkt     TEXT COLLATE "C" NOT NULL,
    params       BYTEA            NOT NULL,
    expires_at   BIGINT           NOT NULL,
    code_hash    BYTEA,
    did          TEXT COLLATE "C",
    scope        TEXT,
    actor_did    TEXT COLLATE "C",
    code_used_at BIGINT,
    family_id    TEXT COLLATE "C"
);
CREATE UNIQUE INDEX oauth_requests_code_hash ON oauth_requests (code_hash);
CREATE INDEX oauth_requests_expires_at ON oauth_requests (expires_at);

CREATE TABLE oauth_tokens (
    hash              BYTEA            PRIMARY KEY,
    family_id         TEXT COLLATE "C" NOT NULL,
    did               TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    actor_did         TEXT COLLATE "C",
    client_id         TEXT COLLATE "C" NOT NULL,
    client_auth       TEXT COLLATE "C" NOT NULL,
    dpop_jkt          TEXT COLLATE "C" NOT NULL,
    scope             TEXT             NOT NULL,
    created_at        BIGINT           NOT NULL,
    expires_at        BIGINT           NOT NULL,
    family_expires_at BIGINT           NOT NULL,
    rotated_at        BIGINT,
    revoked_at        BIGINT
);
CREATE INDEX oauth_tokens_family_id ON oauth_tokens (family_id);
CREATE INDEX oauth_tokens_did ON oauth_tokens (did, actor_did);
CREATE INDEX oauth_tokens_expires_at ON oauth_tokens (expires_at);

CREATE TABLE oauth_device_accounts (
    device_hash BYTEA            NOT NULL,
    did         TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    created_at  BIGINT           NOT NULL,
    expires_at  BIGINT           NOT NULL,
    PRIMARY KEY (device_hash, did)
);
CREATE INDEX oauth_device_accounts_expires_at ON oauth_device_accounts (expires_at);

-- +goose Down
DROP TABLE oauth_device_accounts;
DROP TABLE oauth_tokens;
DROP TABLE oauth_requests;
