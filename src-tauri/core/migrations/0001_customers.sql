-- Customers: the first slice. Soft delete keeps a row restorable from the trash.
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        TEXT    NOT NULL CHECK (kind IN ('company', 'person')),
    company     TEXT,
    phone       TEXT,
    email       TEXT,
    region      TEXT,
    owner       TEXT,
    notes       TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    deleted_at  TEXT
);

CREATE INDEX customers_live_name ON customers (deleted_at, name);
CREATE INDEX customers_live_updated ON customers (deleted_at, updated_at);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_email ON customers (email);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
