-- Prefix indexes for the search: a one-character prefix (a single Chinese character typed
-- alone) and a three-character one (the start of a word or number) become one posting
-- list each, instead of a merge of every token that starts with them. The entries are
-- rebuilt from the customers by the migration's Rust step (search::reindex_all).
DROP TABLE customer_search;
CREATE VIRTUAL TABLE customer_search USING fts5 (
    tokens,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 3'
);
