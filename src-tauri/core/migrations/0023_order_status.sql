-- Orders a platform closed, cancelled, refunded or never saw paid are kept, with that status,
-- but are not purchases: everything that sums orders reads only those whose status is NULL.
-- A column added with no default costs nothing on existing rows (SQLite reads NULL for them).
ALTER TABLE orders ADD COLUMN status TEXT CHECK (status IN ('unpaid', 'cancelled', 'refunded'));
