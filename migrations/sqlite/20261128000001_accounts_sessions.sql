-- Accounts, server-side sessions and the log-in failure record used for throttling.
-- Times are UTC seconds since the Unix epoch.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    -- The email as compared: lower-cased, so that addresses are unique case-insensitively.
    email_key     TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

-- The cookie holds a random token; only its SHA-256 is stored, so a copy of the
-- database does not hand out live sessions.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_account ON sessions(account_id);

CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    email_key  TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    failed_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_by_email ON login_failures(email_key, failed_at);
CREATE INDEX login_failures_by_address ON login_failures(address, failed_at);
CREATE INDEX login_failures_by_time ON login_failures(failed_at);
