-- Everything Headtail knows about a customer. Money is integer minor units (fen, cents)
-- beside an ISO 4217 currency code; calendar dates are ISO 'YYYY-MM-DD' text and instants
-- RFC 3339 UTC text, both of which sort in time order.

CREATE TABLE import_batches (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('customers', 'orders', 'interactions', 'survey_responses')),
    source_name  TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    rows_read    INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    reverted_at  TEXT
);

ALTER TABLE customers ADD COLUMN external_id TEXT;
ALTER TABLE customers ADD COLUMN size_class TEXT CHECK (size_class IN ('large', 'smb', 'individual'));
ALTER TABLE customers ADD COLUMN industry TEXT;
ALTER TABLE customers ADD COLUMN source TEXT;
ALTER TABLE customers ADD COLUMN is_kol INTEGER NOT NULL DEFAULT 0 CHECK (is_kol IN (0, 1));
ALTER TABLE customers ADD COLUMN referred_by INTEGER REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE customers ADD COLUMN needs TEXT;
ALTER TABLE customers ADD COLUMN preferences TEXT;
ALTER TABLE customers ADD COLUMN pipeline_stage TEXT
    CHECK (pipeline_stage IN ('awareness', 'interest', 'decision', 'purchase', 'won', 'lost'));
-- Keys for duplicate detection: digits of the phone, lower-cased email, folded name.
ALTER TABLE customers ADD COLUMN phone_key TEXT;
ALTER TABLE customers ADD COLUMN email_key TEXT;
ALTER TABLE customers ADD COLUMN name_key TEXT;
ALTER TABLE customers ADD COLUMN import_batch_id INTEGER REFERENCES import_batches (id);
ALTER TABLE customers ADD COLUMN erased_at TEXT;

UPDATE customers SET
    email_key = lower(email),
    name_key = lower(trim(name)),
    phone_key = replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '');

CREATE UNIQUE INDEX customers_external_id ON customers (external_id) WHERE external_id IS NOT NULL;
DROP INDEX customers_phone;
DROP INDEX customers_email;
CREATE INDEX customers_phone_key ON customers (phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX customers_email_key ON customers (email_key) WHERE email_key IS NOT NULL;
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX customers_owner ON customers (owner) WHERE owner IS NOT NULL;
CREATE INDEX customers_batch ON customers (import_batch_id) WHERE import_batch_id IS NOT NULL;
CREATE INDEX customers_referred_by ON customers (referred_by) WHERE referred_by IS NOT NULL;

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 50),
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags (tag);

CREATE TABLE customer_channels (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('online_shop', 'marketplace', 'store', 'phone_wechat')),
    PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    title       TEXT,
    phone       TEXT,
    email       TEXT,
    wechat      TEXT,
    is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    notes       TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    external_id     TEXT,
    ordered_on      TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    cost_minor      INTEGER,
    channel         TEXT CHECK (channel IN ('online_shop', 'marketplace', 'store', 'phone_wechat')),
    import_batch_id INTEGER REFERENCES import_batches (id)
);
CREATE INDEX orders_customer_date ON orders (customer_id, ordered_on);
CREATE INDEX orders_date ON orders (ordered_on);
CREATE UNIQUE INDEX orders_external_id ON orders (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX orders_batch ON orders (import_batch_id) WHERE import_batch_id IS NOT NULL;

CREATE TABLE order_lines (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product      TEXT NOT NULL,
    category     TEXT,
    quantity     INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    amount_minor INTEGER NOT NULL
);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX order_lines_category ON order_lines (category) WHERE category IS NOT NULL;

CREATE TABLE service_costs (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_on  TEXT NOT NULL,
    minutes      INTEGER CHECK (minutes >= 0),
    amount_minor INTEGER NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    notes        TEXT
);
CREATE INDEX service_costs_customer_date ON service_costs (customer_id, occurred_on);

CREATE TABLE interactions (
    id                INTEGER PRIMARY KEY,
    customer_id       INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'message', 'meeting')),
    occurred_at       TEXT NOT NULL,
    outcome           TEXT,
    notes             TEXT,
    next_follow_up_on TEXT,
    done              INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    owner             TEXT,
    import_batch_id   INTEGER REFERENCES import_batches (id)
);
CREATE INDEX interactions_customer_time ON interactions (customer_id, occurred_at);
CREATE INDEX interactions_follow_up ON interactions (next_follow_up_on) WHERE done = 0 AND next_follow_up_on IS NOT NULL;
CREATE INDEX interactions_batch ON interactions (import_batch_id) WHERE import_batch_id IS NOT NULL;

CREATE TABLE complaints (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    opened_at   TEXT NOT NULL,
    category    TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status      TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    description TEXT,
    resolved_at TEXT,
    CHECK ((status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL))
);
CREATE INDEX complaints_customer_time ON complaints (customer_id, opened_at);
CREATE INDEX complaints_open ON complaints (status) WHERE status IN ('open', 'in_progress');

CREATE TABLE surveys (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'ces')),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE survey_responses (
    id              INTEGER PRIMARY KEY,
    survey_id       INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    responded_on    TEXT NOT NULL,
    score           INTEGER NOT NULL,
    comment         TEXT,
    import_batch_id INTEGER REFERENCES import_batches (id)
);
CREATE INDEX survey_responses_customer ON survey_responses (customer_id, responded_on);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, responded_on);
CREATE INDEX survey_responses_batch ON survey_responses (import_batch_id) WHERE import_batch_id IS NOT NULL;

CREATE TABLE loyalty_ledger (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_on TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'referral_reward', 'adjust')),
    points      INTEGER NOT NULL,
    order_id    INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    notes       TEXT,
    CHECK ((kind = 'redeem') = (points < 0) OR kind = 'adjust')
);
CREATE INDEX loyalty_customer_date ON loyalty_ledger (customer_id, occurred_on);

-- Profiles an import changed, as they were before, so the import can be reverted.
CREATE TABLE import_previous_profiles (
    batch_id    INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    profile     TEXT NOT NULL,
    PRIMARY KEY (batch_id, customer_id)
) WITHOUT ROWID;

-- Column mappings the user confirmed, reused when the same header comes again.
CREATE TABLE import_mappings (
    kind       TEXT NOT NULL,
    headers    TEXT NOT NULL,
    mapping    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, headers)
) WITHOUT ROWID;

-- Full-text search over customers, contacts, notes and tags. The tokens are made in Rust
-- (CJK bigrams, words, digit suffixes; see search.rs), so a part of a Chinese name matches.
CREATE VIRTUAL TABLE customer_search USING fts5 (
    tokens,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
