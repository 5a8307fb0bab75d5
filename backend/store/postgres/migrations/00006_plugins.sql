-- Hearth schema, version 6 (PostgreSQL): plugins' key-value storage
-- (docs/plugins.md), namespaced by plugin id; size is len(key) + len(value)
-- in bytes, summed for the quota.
-- Keep in step with ../../sqlite/migrations/00006_plugins.sql.

-- +goose Up
CREATE TABLE plugin_kv (
    plugin TEXT    NOT NULL,
    key    TEXT    COLLATE "C" NOT NULL,
    value  BYTEA    NOT NULL,
    size   BIGINT  NOT NULL,
    PRIMARY KEY (plugin, key)
);

-- +goose Down
DROP TABLE plugin_kv;
