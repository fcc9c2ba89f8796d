-- Verified email (issue 17): sign-up sends a link that confirms the address; a change of
-- address takes effect only when a link sent to the new one is followed. Only the SHA-256
-- of a link's token is kept. Accounts made before this are unconfirmed until they follow a
-- link (the banner offers one).
ALTER TABLE accounts ADD COLUMN email_verified_at INTEGER;

CREATE TABLE email_verifications (
    token_hash TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- The address the link confirms: the account's own, or the one it changes to.
    email      TEXT    NOT NULL,
    email_key  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE INDEX email_verifications_by_account ON email_verifications(account_id, created_at);
