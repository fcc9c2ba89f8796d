-- Email leaves through a durable outbox: a message is written in the same
-- transaction as what causes it; a worker sends it, retrying with backoff,
-- and marks it sent once.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    -- Plain text, UTF-8.
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL;

-- Invitations to an organization. The token is kept only as its SHA-256;
-- Resend replaces it (the old one dies with it).
CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    -- As typed (normalized), and the key it is compared by.
    email           TEXT    NOT NULL,
    email_key       TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'billing', 'member')),
    token_hash      TEXT    NOT NULL UNIQUE,
    invited_by      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'revoked')),
    finished_at     INTEGER
) STRICT;
-- One pending invitation per address and organization: inviting again resends it.
CREATE UNIQUE INDEX invitations_one_pending
    ON invitations(organization_id, email_key) WHERE status = 'pending';

-- Invitation emails per organization, for the hourly limit.
CREATE TABLE invitation_emails (
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX invitation_emails_by_organization ON invitation_emails(organization_id, at);
