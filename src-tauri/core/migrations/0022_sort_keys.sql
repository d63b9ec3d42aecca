-- Names, companies and owners in the order Chinese users expect (pinyin: 陈 李 刘 王 张, with
-- Latin names among them), through sort keys made in Rust (customers/sort_key.rs) and stored
-- beside the text. The list's indexes on the old keys give way to the same indexes on these;
-- the live-name index also answers the look-up of a name, whose key is part of its sort key.
-- The Rust step after this file fills the keys of existing customers (erased ones keep none)
-- with these indexes set aside, then builds them once.
ALTER TABLE customers ADD COLUMN name_sort TEXT;
ALTER TABLE customers ADD COLUMN company_sort TEXT;
ALTER TABLE customers ADD COLUMN owner_sort TEXT;
DROP INDEX customers_live_by_name;
DROP INDEX customers_live_by_company;
DROP INDEX customers_live_by_owner_name;
CREATE INDEX customers_live_by_name ON customers (name_sort) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_company ON customers (company_sort IS NULL, company_sort) WHERE deleted_at IS NULL AND erased_at IS NULL;
CREATE INDEX customers_live_by_owner ON customers (owner_sort IS NULL, owner_sort) WHERE deleted_at IS NULL AND erased_at IS NULL;
