-- Every stored run in compact form: its members in chunks of consecutive customers, each a
-- zstd-compressed block of columns (see evaluation/store/archive.rs). History, migration and
-- older runs read these; only the latest run keeps indexed rows in evaluation_members, for
-- the list, My day and the survey list. Twelve runs of a million customers took about 2 GB
-- as rows; here each takes a few tens of megabytes.
CREATE TABLE evaluation_archive (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
    first_customer INTEGER NOT NULL,
    last_customer  INTEGER NOT NULL CHECK (last_customer >= first_customer),
    members        INTEGER NOT NULL CHECK (members > 0),
    data           BLOB NOT NULL,
    UNIQUE (run_id, first_customer)
);

-- The migration's Rust step archives every stored run from its rows, then keeps the rows of
-- the latest complete run only.
