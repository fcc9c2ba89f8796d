-- Invoices delivered (issue 18): the seller's details as printed on the invoice (frozen, as the
-- customer's are), when it was sent, posted or paid, and the card charge's attempts. The outbox
-- carries the invoice's PDF as an attachment until the message is sent.
ALTER TABLE invoices ADD COLUMN seller TEXT NOT NULL DEFAULT '{}';
ALTER TABLE invoices ADD COLUMN delivered_at INTEGER;
ALTER TABLE invoices ADD COLUMN paid_at INTEGER;
ALTER TABLE invoices ADD COLUMN charge_attempts INTEGER NOT NULL DEFAULT 0;
-- The next card charge: set when a card invoice is issued, moved on after a failed charge.
ALTER TABLE invoices ADD COLUMN next_charge_at INTEGER;
ALTER TABLE invoices ADD COLUMN charge_error TEXT;
-- The last charge attempt: a card added after it is charged the unpaid invoice at once ("Pay now").
ALTER TABLE invoices ADD COLUMN charged_at INTEGER;
ALTER TABLE invoices ADD COLUMN payment_id TEXT;
-- The card (the provider's token) the last charge attempt used: "Pay now" charges a different one.
ALTER TABLE invoices ADD COLUMN charged_card TEXT;
-- When a credit note cancelled it: its payment state stops there (no charge, no payment).
ALTER TABLE invoices ADD COLUMN credited_at INTEGER;
-- A print run's lease on an invoice to post: two operators' runs never print one twice.
ALTER TABLE invoices ADD COLUMN printing_until INTEGER;
CREATE INDEX invoices_waiting ON invoices(status) WHERE status IN ('issued', 'unpaid');

ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment BLOB;

-- The sandbox provider's off-session charges of stored cards, one per idempotency key, and
-- whether a card's later charges are declined (the test card 4000 0000 0000 0341).
ALTER TABLE sandbox_sessions ADD COLUMN later_charges TEXT NOT NULL DEFAULT 'succeed';
CREATE TABLE sandbox_charges (
    id              TEXT    PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    card_token      TEXT    NOT NULL,
    amount_cents    INTEGER NOT NULL,
    currency        TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('succeeded', 'failed')),
    failure         TEXT,
    created_at      INTEGER NOT NULL
) STRICT;

-- A correction of an issued invoice: a credit note cancelling it in full, numbered from the
-- same gap-free sequence (Council Directive 2006/112/EC article 219: a document amending an
-- invoice is treated as one). The invoice itself never changes.
CREATE TABLE credit_notes (
    id              INTEGER PRIMARY KEY,
    number          INTEGER NOT NULL UNIQUE,
    invoice_id      INTEGER NOT NULL UNIQUE REFERENCES invoices(id),
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    issued_at       INTEGER NOT NULL,
    reason          TEXT NOT NULL
) STRICT;
CREATE INDEX credit_notes_by_organization ON credit_notes(organization_id);
