-- Deleted and erased customers, few, by owner: My day and the agenda count open follow-ups
-- and new detractors from their own indexes and leave these customers out through this one,
-- instead of reading the customer of every counted row.
CREATE INDEX customers_not_live ON customers (owner) WHERE deleted_at IS NOT NULL OR erased_at IS NOT NULL;
