-- The JSON API's keys (DESIGN.md, "The JSON API"): 256 random bits, of
-- which only the SHA-256 is kept. (`user/login`'s temporary keys are
-- sessions of the kind 'api': the same timeouts, the same table.)

-- An organization's API key: acts with `role`, chosen when it is made
-- (never above its maker's); revoked keys stay, for the activity log.
CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT    NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    key_hash        TEXT    NOT NULL UNIQUE,
    -- The first characters of the key, shown in the list to tell keys apart.
    key_start       TEXT    NOT NULL,
    description     TEXT    NOT NULL CHECK (length(description) BETWEEN 1 AND 100),
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'billing', 'member')),
    created_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER,
    revoked_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    -- The "Create API key" form it came from: sent again (a reload), it
    -- makes no second key.
    request_id      TEXT    UNIQUE
) STRICT;
CREATE INDEX api_keys_by_organization ON api_keys(organization_id, id);

-- Calls made with each API key and temporary key (`key:<id>`,
-- `login:<hash>`), for their rate limit; purged past the window.
CREATE TABLE api_calls (
    caller TEXT    NOT NULL,
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX api_calls_by_caller ON api_calls(caller, at);

-- `user/login`'s temporary keys are sessions of their own kind: a browser's
-- cookie is no API key, and a temporary key opens no page.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'browser' CHECK (kind IN ('browser', 'api'));

-- Changes made through an API key are logged under the key's description.
ALTER TABLE activity ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
-- A card setup started through an API key records its outcome under the key.
ALTER TABLE card_setups ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
