-- The Account page (issue 17): each session shows the browser (its User-Agent) and client
-- address it was started from and can be ended on its own, by a public id that is not its
-- token's hash; and the account's security events, each also emailed to it.
ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE sessions SET public_id = lower(hex(randomblob(12)));
CREATE UNIQUE INDEX sessions_by_public_id ON sessions(public_id);

CREATE TABLE security_events (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- auth::events::SecurityEvent as text: 'password_changed', 'password_reset', ...
    kind       TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX security_events_by_account ON security_events(account_id, at);
