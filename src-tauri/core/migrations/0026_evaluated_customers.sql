-- What a full evaluation reads of every live customer, in id order, without their rows: the
-- customers table is wide (names, contacts, notes, sort keys), and reading a million of its
-- rows was most of the load once the orders came from their digests.
CREATE INDEX customers_evaluated ON customers (id, is_kol) WHERE deleted_at IS NULL;
