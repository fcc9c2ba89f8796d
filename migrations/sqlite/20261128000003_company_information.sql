-- Company information: one row per organization, written only when every
-- field is valid, so a row means "complete". `version` detects edits made
-- meanwhile by someone else.
CREATE TABLE company_information (
    organization_id INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    company_name    TEXT    NOT NULL,
    business_id     TEXT    NOT NULL,
    vat_number      TEXT,
    address         TEXT    NOT NULL,
    postal_code     TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    country         TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    phone           TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    updated_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
