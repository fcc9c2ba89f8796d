-- Two-factor log-in (issue 17): RFC 6238 codes from an authenticator app, asked for after
-- the password. The shared secret must be readable to check a code, so it is kept as it is
-- (base32) and never logged; recovery codes and log-in challenges only as SHA-256.
CREATE TABLE two_factor (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    secret     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    -- NULL while being set up: on once a code from the app was confirmed.
    enabled_at INTEGER,
    -- The newest 30-second step a code was accepted for: a code works once.
    last_step  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Ten single-use codes for a lost phone, shown once.
CREATE TABLE recovery_codes (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (account_id, code_hash)
) STRICT;

-- A log-in whose password was right, waiting for its code (a cookie holds the token).
CREATE TABLE login_challenges (
    token_hash TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX login_challenges_by_created ON login_challenges(created_at);

-- An Owner may require two-factor log-in of every collaborator (1) or not (0).
ALTER TABLE organizations ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0 CHECK (require_two_factor IN (0, 1));
