-- Hearth schema, version 1 (PostgreSQL). Times are Unix microseconds (BIGINT);
-- CIDs are their binary form (BYTEA). Keep in step with
-- ../../sqlite/migrations/00001_init.sql: same tables, columns and versions.
--
-- Text columns that are keys, or that queries order or range-compare (DIDs,
-- handles, collections, rkeys, revs, codes, names), use COLLATE "C": they
-- then compare bytewise, exactly like SQLite's default BINARY collation,
-- whatever locale the database was created with (and faster than a
-- linguistic collation). Cursors and page orders match between the dialects.

-- +goose Up
CREATE TABLE accounts (
    did                TEXT COLLATE "C" PRIMARY KEY,
    handle             TEXT COLLATE "C" NOT NULL UNIQUE,
    email              TEXT             UNIQUE,
    email_confirmed_at BIGINT,
    password_hash      TEXT             NOT NULL,
    signing_key        BYTEA            NOT NULL,
    rotation_key       BYTEA,
    status             TEXT             NOT NULL DEFAULT 'active',
    invite_code        TEXT,
    created_at         BIGINT           NOT NULL
);

CREATE TABLE refresh_tokens (
    id                TEXT             PRIMARY KEY,
    did               TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    app_password_name TEXT,
    expires_at        BIGINT           NOT NULL,
    next_id           TEXT
);
CREATE INDEX refresh_tokens_did ON refresh_tokens (did);

CREATE TABLE app_passwords (
    did        TEXT COLLATE "C" NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    name       TEXT COLLATE "C" NOT NULL,
    hash       BYTEA            NOT NULL,
    privileged BOOLEAN          NOT NULL DEFAULT FALSE,
    created_at BIGINT           NOT NULL,
    PRIMARY KEY (did, name)
);
CREATE INDEX app_passwords_hash ON app_passwords (did, hash);

CREATE TABLE invite_codes (
    code           TEXT COLLATE "C" PRIMARY KEY,
    for_account    TEXT COLLATE "C" NOT NULL,
    created_by     TEXT             NOT NULL,
    available_uses INTEGER          NOT NULL,
    disabled       BOOLEAN          NOT NULL DEFAULT FALSE,
    created_at     BIGINT           NOT NULL
);
CREATE INDEX invite_codes_for_account ON invite_codes (for_account);

CREATE TABLE invite_uses (
    code    TEXT COLLATE "C" NOT NULL REFERENCES invite_codes (code) ON DELETE CASCADE,
    used_by TEXT COLLATE "C" NOT NULL,
    used_at BIGINT           NOT NULL,
    PRIMARY KEY (code, used_by)
);

CREATE TABLE repos (
    did        TEXT COLLATE "C" PRIMARY KEY,
    commit_cid BYTEA            NOT NULL,
    rev        TEXT COLLATE "C" NOT NULL,
    data_cid   BYTEA            NOT NULL
);

CREATE TABLE blocks (
    did  TEXT COLLATE "C" NOT NULL,
    cid  BYTEA            NOT NULL,
    data BYTEA            NOT NULL,
    PRIMARY KEY (did, cid)
);

CREATE TABLE records (
    did        TEXT COLLATE "C" NOT NULL,
    collection TEXT COLLATE "C" NOT NULL,
    rkey       TEXT COLLATE "C" NOT NULL,
    cid        BYTEA            NOT NULL,
    rev        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (did, collection, rkey)
);
CREATE INDEX records_cid ON records (did, cid);

CREATE TABLE blobs (
    did        TEXT COLLATE "C" NOT NULL,
    cid        BYTEA            NOT NULL,
    mime_type  TEXT             NOT NULL,
    size       BIGINT           NOT NULL,
    created_at BIGINT           NOT NULL,
    PRIMARY KEY (did, cid)
);
CREATE INDEX blobs_created_at ON blobs (created_at);

CREATE TABLE record_blobs (
    did        TEXT COLLATE "C" NOT NULL,
    collection TEXT COLLATE "C" NOT NULL,
    rkey       TEXT COLLATE "C" NOT NULL,
    blob_cid   BYTEA            NOT NULL,
    rev        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (did, collection, rkey, blob_cid)
);
CREATE INDEX record_blobs_blob ON record_blobs (did, blob_cid);

CREATE TABLE events (
    seq  BIGINT           PRIMARY KEY,
    did  TEXT COLLATE "C" NOT NULL,
    type TEXT             NOT NULL,
    time BIGINT           NOT NULL,
    body BYTEA            NOT NULL
);
CREATE INDEX events_time ON events (time);

-- The last assigned firehose seq. A commit transaction locks this row
-- (SELECT ... FOR UPDATE) to take the next seq, so seqs become visible in
-- commit order: a plain sequence would let seq 6 commit before seq 5.
CREATE TABLE event_seq (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT  NOT NULL
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
