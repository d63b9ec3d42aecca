-- The customer list at a million rows: one partial index per sort order over the live
-- customers only, so a page is an index walk that stops after 50 rows instead of a sort of
-- every customer. Names sort by their duplicate key (NFKC, lower case, no spaces); the
-- `IS NULL` term keeps empty values after the others.
DROP INDEX customers_live_name;
DROP INDEX customers_live_updated;
CREATE INDEX customers_live_by_name ON customers (name_key) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_company ON customers (company IS NULL, company) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_region ON customers (region IS NULL, region) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_owner_name ON customers (owner IS NULL, owner) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_created ON customers (created_at) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_updated ON customers (updated_at) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_trash ON customers (deleted_at) WHERE deleted_at IS NOT NULL;
