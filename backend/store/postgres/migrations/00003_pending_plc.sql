-- Hearth schema, version 3 (PostgreSQL): did:plc genesis operations signed
-- locally and not yet submitted (desktop accounts are local-first). Keep in
-- step with ../../sqlite/migrations/00003_pending_plc.sql.

-- +goose Up
CREATE TABLE pending_plc_ops (
    did        TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts (did) ON DELETE CASCADE,
    op         BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE pending_plc_ops;
