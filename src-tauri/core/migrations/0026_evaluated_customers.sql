-- What a full evaluation reads of every customer, in id order, without their rows: the
-- customers table is wide (names, contacts, notes, sort keys), and reading a million of its
-- rows was a third of the load once the orders came from their digests. Not partial: a
-- small index partial on `deleted_at IS NULL` would be taken for the list's counts, which
-- also test `erased_at`, at the cost of a row lookup per customer.
CREATE INDEX customers_evaluated ON customers (id, is_kol, deleted_at);
