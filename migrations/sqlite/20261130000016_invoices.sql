-- Invoices (issue 18): each organization's invoice for a calendar month, numbered from one
-- gap-free ascending sequence (EU invoicing rules, Council Directive 2006/112/EC article
-- 226(2)): the number is taken in the transaction that writes the invoice, so a rolled-back
-- invoice gives its number back. An issued invoice never changes (a credit note corrects it);
-- the customer's details are copied onto it as they were when it was issued.
CREATE TABLE invoice_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    next INTEGER NOT NULL CHECK (next >= 1)
) STRICT;
INSERT INTO invoice_numbers (id, next) VALUES (1, 1);

CREATE TABLE invoices (
    id                    INTEGER PRIMARY KEY,
    number                INTEGER NOT NULL UNIQUE,
    -- Organizations are only ever marked deleted: their invoices stay.
    organization_id       INTEGER NOT NULL REFERENCES organizations(id),
    -- The month billed, "2026-11".
    period                TEXT    NOT NULL,
    issued_at             INTEGER NOT NULL,
    due_at                INTEGER NOT NULL,
    currency              TEXT    NOT NULL CHECK (currency = 'EUR'),
    net_cents             INTEGER NOT NULL,
    vat_cents             INTEGER NOT NULL,
    total_cents           INTEGER NOT NULL,
    vat_rate_basis_points INTEGER NOT NULL,
    -- 'domestic', 'reverse_charge', 'eu_consumer', 'outside_eu'.
    vat_case              TEXT    NOT NULL,
    vat_note              TEXT,
    customer_number       TEXT    NOT NULL,
    customer_name         TEXT    NOT NULL,
    customer_business_id  TEXT    NOT NULL,
    customer_vat_number   TEXT,
    customer_address      TEXT    NOT NULL,
    customer_postal_code  TEXT    NOT NULL,
    customer_city         TEXT    NOT NULL,
    customer_country      TEXT    NOT NULL,
    -- How it is settled: 'card' (charged), 'email' or 'mail' (delivered).
    settlement            TEXT    NOT NULL CHECK (settlement IN ('card', 'email', 'mail')),
    invoice_email         TEXT,
    status                TEXT    NOT NULL CHECK (status IN ('issued', 'sent', 'posted', 'paid', 'unpaid')),
    UNIQUE (organization_id, period)
) STRICT;

CREATE TABLE invoice_lines (
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id),
    position      INTEGER NOT NULL,
    service_name  TEXT    NOT NULL,
    plan          TEXT    NOT NULL,
    -- The hours billed and the month's hours: 744 of 744 is the whole month.
    hours         INTEGER NOT NULL,
    month_hours   INTEGER NOT NULL,
    monthly_cents INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    vat_cents     INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, position)
) STRICT;

-- The months whose run has finished: the job checks here before looking for work.
CREATE TABLE invoice_runs (
    period      TEXT    PRIMARY KEY,
    finished_at INTEGER NOT NULL
) STRICT;
