-- Every organization has a customer number (DESIGN.md, "The JSON API"):
-- 7 random digits, unique, not sequential; the API's username for a key.
ALTER TABLE organizations ADD COLUMN customer_number TEXT;
UPDATE organizations SET customer_number = CAST(1000000 + abs(random() % 9000000) AS TEXT)
 WHERE customer_number IS NULL;
-- A clash among the numbers just drawn (unlikely) is drawn again.
UPDATE organizations SET customer_number = CAST(1000000 + abs(random() % 9000000) AS TEXT)
 WHERE id IN (SELECT o.id FROM organizations o JOIN organizations p
               ON p.customer_number = o.customer_number AND p.id < o.id);
UPDATE organizations SET customer_number = CAST(1000000 + abs(random() % 9000000) AS TEXT)
 WHERE id IN (SELECT o.id FROM organizations o JOIN organizations p
               ON p.customer_number = o.customer_number AND p.id < o.id);
UPDATE organizations SET customer_number = CAST(1000000 + abs(random() % 9000000) AS TEXT)
 WHERE id IN (SELECT o.id FROM organizations o JOIN organizations p
               ON p.customer_number = o.customer_number AND p.id < o.id);
CREATE UNIQUE INDEX organizations_customer_number ON organizations(customer_number);
