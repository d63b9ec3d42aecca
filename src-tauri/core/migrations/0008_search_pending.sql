-- Search entries of the customers a large import created, made during the import and added
-- to the full-text index after it commits (search::catch_up), a step at a time, so that
-- building the index does not hold up the import.
CREATE TABLE search_pending (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    tokens      TEXT NOT NULL
);
