-- Customers a large import created whose search entries are still to be made: they are
-- added to the full-text index after the import commits (search::catch_up), a step at a
-- time, so that building the index does not hold up the import.
CREATE TABLE search_pending (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE
);
