-- Duplicate look-ups by name only ever ask for live customers, which the list's partial
-- index on the same key (customers_live_by_name) answers; the whole-table copy cost every
-- new customer a write and every bulk load a sort.
DROP INDEX customers_name_key;
