-- An account's organizations are listed by name a page at a time (the
-- sidebar's first 15 of perhaps thousands): each membership carries a copy
-- of its organization's name so that an index gives that order, instead of
-- joining and sorting every organization of the account on every page.
-- The store writes it wherever a membership is made or an organization renamed.
ALTER TABLE memberships ADD COLUMN organization_name TEXT NOT NULL DEFAULT '';
UPDATE memberships
   SET organization_name = (SELECT name FROM organizations WHERE id = memberships.organization_id);
CREATE INDEX memberships_by_account_and_name
    ON memberships(account_id, organization_name COLLATE NOCASE, organization_id);
