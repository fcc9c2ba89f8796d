-- An organization is deleted softly: its memberships go (nobody reaches it),
-- while its payments, refunds, card setups, services and activity log stay,
-- as bookkeeping and the provider's records require.
ALTER TABLE organizations ADD COLUMN deleted_at INTEGER;

-- Money rows, services and the activity log are never deleted: a delete,
-- or a cascade from a deleted organization, is refused.
CREATE TRIGGER payments_are_kept BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are kept'); END;
CREATE TRIGGER refund_jobs_are_kept BEFORE DELETE ON refund_jobs
BEGIN SELECT RAISE(ABORT, 'refund jobs are kept'); END;
CREATE TRIGGER cards_are_kept BEFORE DELETE ON cards
BEGIN SELECT RAISE(ABORT, 'cards are kept'); END;
CREATE TRIGGER card_setups_are_kept BEFORE DELETE ON card_setups
BEGIN SELECT RAISE(ABORT, 'card setups are kept'); END;
CREATE TRIGGER services_are_kept BEFORE DELETE ON services
BEGIN SELECT RAISE(ABORT, 'services are kept'); END;
CREATE TRIGGER activity_is_kept BEFORE DELETE ON activity
BEGIN SELECT RAISE(ABORT, 'the activity log is kept'); END;

-- Each unfinished card setup is asked about on its own schedule: 15 minutes
-- after it starts, then less and less often, so abandoned setups never
-- crowd out new ones.
ALTER TABLE card_setups ADD COLUMN next_check_at INTEGER;
ALTER TABLE card_setups ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE card_setups ADD COLUMN last_error TEXT;
UPDATE card_setups SET next_check_at = created_at + 900 WHERE status = 'started';
CREATE INDEX card_setups_to_check ON card_setups(next_check_at) WHERE status = 'started';

-- The method of payment when a setup started, so that Invoice chosen while
-- the card page was open is not silently switched back to the card; the
-- card then records the method it kept.
ALTER TABLE card_setups ADD COLUMN method_at_start TEXT;
ALTER TABLE card_setups ADD COLUMN billing_updated_at_start INTEGER;
ALTER TABLE cards ADD COLUMN kept_method TEXT CHECK (kept_method IN ('invoice'));
