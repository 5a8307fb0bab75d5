-- Hearth schema, version 5 (SQLite): delegation grants (a controller may act
-- as a delegated account within a scope), their audit log, and the app
-- passwords a controller created under a grant (deleted when it is revoked).
-- Keep in step with ../../postgres/migrations/00005_delegation.sql.

-- +goose Up
-- The controller may live on another PDS: its DID is no foreign key.
CREATE TABLE delegation_grants (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    delegated_did  TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    controller_did TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    preset         TEXT    NOT NULL,
    granted_at     INTEGER NOT NULL,
    granted_by     TEXT    NOT NULL,
    updated_at     INTEGER,
    updated_by     TEXT,
    revoked_at     INTEGER,
    revoked_by     TEXT,
    CHECK (delegated_did <> controller_did)
);
-- One active grant per pair; revoked ones stay as history.
CREATE UNIQUE INDEX delegation_grants_active ON delegation_grants (delegated_did, controller_did)
    WHERE revoked_at IS NULL;
CREATE INDEX delegation_grants_controller ON delegation_grants (controller_did)
    WHERE revoked_at IS NULL;
CREATE INDEX delegation_grants_delegated ON delegation_grants (delegated_did, id);

CREATE TABLE delegation_audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    delegated_did  TEXT    NOT NULL REFERENCES accounts (did) ON DELETE CASCADE,
    controller_did TEXT    NOT NULL,
    actor_did      TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    detail         TEXT    NOT NULL
);
CREATE INDEX delegation_audit_delegated ON delegation_audit (delegated_did, id);
CREATE INDEX delegation_audit_controller ON delegation_audit (controller_did, id);

-- An app password a controller created for the delegated account (did).
CREATE TABLE delegation_app_passwords (
    did            TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    controller_did TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (did, name),
    FOREIGN KEY (did, name) REFERENCES app_passwords (did, name) ON DELETE CASCADE
);
CREATE INDEX delegation_app_passwords_controller ON delegation_app_passwords (did, controller_did);

-- +goose Down
DROP TABLE delegation_app_passwords;
DROP TABLE delegation_audit;
DROP TABLE delegation_grants;
