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
ALTER TABLE invoices ADD COLUMN payment_id TEXT;
CREATE INDEX invoices_waiting ON invoices(status) WHERE status IN ('issued', 'unpaid');

ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment BLOB;
