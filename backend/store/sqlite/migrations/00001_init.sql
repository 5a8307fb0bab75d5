-- Hearth schema, version 1 (SQLite). Times are Unix microseconds (INTEGER);
-- CIDs are their binary form (BLOB). Keep in step with
-- ../../postgres/migrations/00001_init.sql: same tables, columns and versions.

-- +goose Up
CREATE TABLE accounts (
    did                TEXT    PRIMARY KEY,
    handle             TEXT    NOT NULL UNIQUE,
    email              TEXT    UNIQUE,
    email_confirmed_at INTEGER,
    password_hash      TEXT    NOT NULL,
    signing_key        BLOB    NOT NULL,
    rotation_key       BLOB,
    status             TEXT    NOT NULL DEFAULT 'active',
    invite_code        TEXT,
    created_at         INTEGER NOT NULL
);

CREATE TABLE refresh_tokens (
    id                TEXT    PRIMARY KEY,
    did               TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    app_password_name TEXT,
    expires_at        INTEGER NOT NULL,
    next_id           TEXT
);
CREATE INDEX refresh_tokens_did ON refresh_tokens (did);

CREATE TABLE app_passwords (
    did        TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    hash       BLOB    NOT NULL,
    privileged INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (did, name)
);
CREATE INDEX app_passwords_hash ON app_passwords (did, hash);

CREATE TABLE invite_codes (
    code           TEXT    PRIMARY KEY,
    for_account    TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    available_uses INTEGER NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX invite_codes_for_account ON invite_codes (for_account);

CREATE TABLE invite_uses (
    code    TEXT    NOT NULL REFERENCES invite_codes (code) ON DELETE CASCADE,
    used_by TEXT    NOT NULL,
    used_at INTEGER NOT NULL,
    PRIMARY KEY (code, used_by)
);

CREATE TABLE repos (
    did        TEXT PRIMARY KEY,
    commit_cid BLOB NOT NULL,
    rev        TEXT NOT NULL,
    data_cid   BLOB NOT NULL
);

CREATE TABLE blocks (
    did  TEXT NOT NULL,
    cid  BLOB NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (did, cid)
) WITHOUT ROWID;

CREATE TABLE records (
    did        TEXT NOT NULL,
    collection TEXT NOT NULL,
    rkey       TEXT NOT NULL,
    cid        BLOB NOT NULL,
    rev        TEXT NOT NULL,
    PRIMARY KEY (did, collection, rkey)
) WITHOUT ROWID;
CREATE INDEX records_cid ON records (did, cid);

CREATE TABLE blobs (
    did        TEXT    NOT NULL,
    cid        BLOB    NOT NULL,
    mime_type  TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (did, cid)
);
CREATE INDEX blobs_created_at ON blobs (created_at);

CREATE TABLE record_blobs (
    did        TEXT NOT NULL,
    collection TEXT NOT NULL,
    rkey       TEXT NOT NULL,
    blob_cid   BLOB NOT NULL,
    rev        TEXT NOT NULL,
    PRIMARY KEY (did, collection, rkey, blob_cid)
);
CREATE INDEX record_blobs_blob ON record_blobs (did, blob_cid);

CREATE TABLE events (
    seq  INTEGER PRIMARY KEY,
    did  TEXT    NOT NULL,
    type TEXT    NOT NULL,
    time INTEGER NOT NULL,
    body BLOB    NOT NULL
);
CREATE INDEX events_time ON events (time);

-- The last assigned firehose seq. SQLite's single writer already assigns seq
-- in commit order; the row keeps the two dialects' logic identical.
CREATE TABLE event_seq (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO event_seq (id, last) VALUES (1, 0);

-- +goose Down
DROP TABLE event_seq;
DROP TABLE events;
DROP TABLE record_blobs;
DROP TABLE blobs;
DROP TABLE records;
DROP TABLE blocks;
DROP TABLE repos;
DROP TABLE invite_uses;
DROP TABLE invite_codes;
DROP TABLE app_passwords;
DROP TABLE refresh_tokens;
DROP TABLE accounts;
