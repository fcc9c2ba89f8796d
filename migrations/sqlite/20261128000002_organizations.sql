-- Organizations, who belongs to them with which role, and the activity log.

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    -- The id in URLs and the API: random, so it says nothing about how many exist.
    public_id  TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'billing', 'member')),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, account_id)
) STRICT, WITHOUT ROWID;
-- The sidebar: every organization of one account.
CREATE INDEX memberships_by_account ON memberships(account_id, organization_id);

-- Append-only: written in the same transaction as the change it records.
CREATE TABLE activity (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    action          TEXT    NOT NULL,
    detail          TEXT    NOT NULL DEFAULT '',
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX activity_by_organization ON activity(organization_id, id);
CREATE TRIGGER activity_is_append_only BEFORE UPDATE ON activity
BEGIN
    SELECT RAISE(ABORT, 'activity is append-only');
END;
