-- "Forgot password?" (issue 17): a link by email that sets a new password once, within an
-- hour. Only the SHA-256 of its token is kept, so a copy of the database resets nothing.
CREATE TABLE password_resets (
    token_hash TEXT   PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_by_account ON password_resets(account_id);

-- Every request for a link, for an address with an account or not: the rate limits per
-- address asked for and per client address.
CREATE TABLE reset_requests (
    email_key TEXT   NOT NULL,
    address   TEXT   NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX reset_requests_by_email ON reset_requests(email_key, at);
CREATE INDEX reset_requests_by_address ON reset_requests(address, at);
