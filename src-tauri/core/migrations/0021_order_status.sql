-- Orders a platform closed, cancelled, refunded or never saw paid are kept, with that status,
-- but are not purchases: everything that sums orders reads only those whose status is NULL.
-- A column added with no default and no CHECK costs nothing on existing rows (SQLite reads
-- NULL for them); a CHECK would be tested against every order at upgrade, a full pass over
-- millions. The values ('unpaid', 'cancelled', 'refunded') are written and read only through
-- the OrderStatus type, which refuses any other.
ALTER TABLE orders ADD COLUMN status TEXT;
