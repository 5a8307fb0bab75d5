-- Hearth schema, version 3 (SQLite): did:plc genesis operations signed
-- locally and not yet submitted (desktop accounts are local-first). Keep in
-- step with ../../postgres/migrations/00003_pending_plc.sql.

-- +goose Up
CREATE TABLE pending_plc_ops (
    did        TEXT    PRIMARY KEY REFERENCES accounts (did) ON DELETE CASCADE,
    op         BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE pending_plc_ops;
