-- The panel's side of credit cards. No card number or security code is
-- ever stored: only what the provider hands back (token, brand, last four,
-- expiry).

-- One per "Continue" to the provider's card page; the idempotency key makes
-- a retried start the same session at the provider.
CREATE TABLE card_setups (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT    NOT NULL UNIQUE,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id       INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    provider_session TEXT    UNIQUE,
    -- The provider's card page, to go back to an unfinished setup.
    provider_url     TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('started', 'succeeded', 'failed')),
    failure          TEXT,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER
) STRICT;
CREATE INDEX card_setups_by_organization ON card_setups(organization_id, created_at);
CREATE INDEX card_setups_by_account ON card_setups(account_id, created_at);

-- A setup yields at most one card; an organization has at most one card in force.
CREATE TABLE cards (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    setup_id        INTEGER NOT NULL UNIQUE REFERENCES card_setups(id) ON DELETE CASCADE,
    provider_token  TEXT    NOT NULL UNIQUE,
    brand           TEXT    NOT NULL,
    last4           TEXT    NOT NULL CHECK (length(last4) = 4),
    exp_month       INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year        INTEGER NOT NULL CHECK (exp_year BETWEEN 2000 AND 2099),
    added_at        INTEGER NOT NULL,
    replaced_at     INTEGER
) STRICT;
CREATE UNIQUE INDEX cards_in_force ON cards(organization_id) WHERE replaced_at IS NULL;

-- Money that moved with the provider, in cents. A provider id is recorded once.
CREATE TABLE payments (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    card_id          INTEGER REFERENCES cards(id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL CHECK (kind IN ('verification', 'refund')),
    provider_payment TEXT    NOT NULL UNIQUE,
    refund_of        INTEGER UNIQUE REFERENCES payments(id) ON DELETE CASCADE,
    amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
    currency         TEXT    NOT NULL CHECK (currency = 'EUR'),
    status           TEXT    NOT NULL CHECK (status IN ('refund_pending', 'refunded', 'completed')),
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX payments_by_organization ON payments(organization_id, id);

-- The durable refund of each verification charge; taken up again after a restart.
CREATE TABLE refund_jobs (
    payment_id INTEGER PRIMARY KEY REFERENCES payments(id) ON DELETE CASCADE,
    due_at     INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done_at    INTEGER
) STRICT;
CREATE INDEX refund_jobs_pending ON refund_jobs(due_at) WHERE done_at IS NULL;

-- The sandbox provider's own tables: what a real provider keeps on its side.
-- Like the panel, it keeps no card number and no security code.
CREATE TABLE sandbox_sessions (
    id              TEXT    PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    merchant        TEXT    NOT NULL,
    amount_cents    INTEGER NOT NULL,
    currency        TEXT    NOT NULL,
    return_url      TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('open', 'identifying', 'succeeded', 'failed')),
    failure         TEXT,
    card_token      TEXT    UNIQUE,
    brand           TEXT,
    last4           TEXT,
    exp_month       INTEGER,
    exp_year        INTEGER,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
) STRICT;

CREATE TABLE sandbox_payments (
    id           TEXT    PRIMARY KEY,
    session_id   TEXT    NOT NULL UNIQUE REFERENCES sandbox_sessions(id),
    amount_cents INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE sandbox_refunds (
    id              TEXT    PRIMARY KEY,
    payment_id      TEXT    NOT NULL UNIQUE REFERENCES sandbox_payments(id),
    idempotency_key TEXT    NOT NULL UNIQUE,
    amount_cents    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

-- Entries the panel makes on its own (a refund), shown as "Orgpanel".
ALTER TABLE activity ADD COLUMN by_system INTEGER NOT NULL DEFAULT 0 CHECK (by_system IN (0, 1));
