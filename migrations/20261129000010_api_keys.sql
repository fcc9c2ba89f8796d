-- The JSON API's keys (DESIGN.md, "The JSON API"): 256 random bits, of
-- which only the SHA-256 is kept. (`user/login`'s temporary keys are
-- sessions: the same timeouts, the same table.)

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
    revoked_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX api_keys_by_organization ON api_keys(organization_id, id);

-- Calls made through each key, for its rate limit; purged past the window.
CREATE TABLE api_key_calls (
    api_key_id INTEGER NOT NULL REFERENCES api_keys(id),
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX api_key_calls_by_key ON api_key_calls(api_key_id, at);

-- Changes made through an API key are logged under the key's description.
ALTER TABLE activity ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
-- A card setup started through an API key records its outcome under the key.
ALTER TABLE card_setups ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
