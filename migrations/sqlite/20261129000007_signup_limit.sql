-- Sign-ups per client address, for the hourly limit (like failed log-ins).
CREATE TABLE signups (
    address TEXT    NOT NULL,
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX signups_by_address ON signups(address, at);
