-- How an organization pays. No row: no method chosen yet. The invoice
-- settings stay when the method changes, so switching back is one click.
CREATE TABLE billing (
    organization_id  INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    method           TEXT    CHECK (method IN ('card', 'invoice')),
    invoice_delivery TEXT    CHECK (invoice_delivery IN ('email', 'mail')),
    invoice_email    TEXT,
    updated_by       INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (invoice_delivery IS NOT 'email' OR invoice_email IS NOT NULL)
) STRICT;

-- Services are billed, so a deleted one is kept (with when and by whom);
-- a name is unique among the services that are not deleted.
CREATE TABLE services (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT    NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
    plan            TEXT    NOT NULL,
    data_center     TEXT    NOT NULL,
    -- The monthly price when it was created, in cents.
    monthly_cents   INTEGER NOT NULL CHECK (monthly_cents >= 0),
    currency        TEXT    NOT NULL CHECK (currency = 'EUR'),
    created_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    deleted_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    deleted_at      INTEGER
) STRICT;
CREATE UNIQUE INDEX services_live_name ON services(organization_id, name) WHERE deleted_at IS NULL;
