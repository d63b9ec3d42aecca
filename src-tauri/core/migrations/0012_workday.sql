-- The account manager's day: follow-ups as their own records, complaint response targets,
-- survey questions, loyalty referrals, pipeline moves and saved list views.

-- A follow-up is something to do for a customer by a time: scheduled by an interaction, by
-- hand, by a detractor answer or a bulk action. Due times are local wall-clock time, like
-- interactions; created_at, completed_at and notified_at are UTC instants.
CREATE TABLE follow_ups (
    id                 INTEGER PRIMARY KEY,
    customer_id        INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    due_at             TEXT NOT NULL,
    owner              TEXT,
    reason             TEXT,
    source             TEXT NOT NULL CHECK (source IN ('manual', 'interaction', 'detractor', 'complaint', 'bulk')),
    -- The interaction that scheduled it (its next step), or the answer that asked for it.
    interaction_id     INTEGER REFERENCES interactions (id) ON DELETE CASCADE,
    survey_response_id INTEGER REFERENCES survey_responses (id) ON DELETE CASCADE,
    created_at         TEXT NOT NULL,
    completed_at       TEXT,
    -- The interaction that answered it, when one did.
    answered_by        INTEGER REFERENCES interactions (id) ON DELETE SET NULL,
    -- When a desktop notification said it was due; never twice for one follow-up.
    notified_at        TEXT
);
CREATE INDEX follow_ups_open_due ON follow_ups (due_at) WHERE completed_at IS NULL;
CREATE INDEX follow_ups_open_owner_due ON follow_ups (owner, due_at) WHERE completed_at IS NULL;
CREATE INDEX follow_ups_open_customer ON follow_ups (customer_id, due_at) WHERE completed_at IS NULL;
CREATE INDEX follow_ups_customer ON follow_ups (customer_id);
CREATE INDEX follow_ups_interaction ON follow_ups (interaction_id) WHERE interaction_id IS NOT NULL;
CREATE INDEX follow_ups_answered_by ON follow_ups (answered_by) WHERE answered_by IS NOT NULL;
CREATE INDEX follow_ups_survey_response ON follow_ups (survey_response_id) WHERE survey_response_id IS NOT NULL;

-- When the customer was last contacted, for the no-contact reminder on a million customers.
CREATE INDEX interactions_time ON interactions (occurred_at);

-- Complaints: when someone first answered, what resolved it, and the response due time the
-- customer's service level promised when it was opened.
ALTER TABLE complaints ADD COLUMN first_response_at TEXT;
ALTER TABLE complaints ADD COLUMN response_due_at TEXT;
ALTER TABLE complaints ADD COLUMN resolution TEXT;
ALTER TABLE complaints ADD COLUMN import_batch_id INTEGER REFERENCES import_batches (id);
CREATE INDEX complaints_waiting_response ON complaints (response_due_at)
    WHERE first_response_at IS NULL AND status IN ('open', 'in_progress');
CREATE INDEX complaints_batch ON complaints (import_batch_id) WHERE import_batch_id IS NOT NULL;

-- Surveys ask their question in both languages and can be retired.
ALTER TABLE surveys ADD COLUMN question_zh TEXT;
ALTER TABLE surveys ADD COLUMN question_en TEXT;
ALTER TABLE surveys ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));

-- A referral reward names the customer who was referred; points earned by an imported order
-- leave with the import when it is reverted.
ALTER TABLE loyalty_ledger ADD COLUMN referred_customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE loyalty_ledger ADD COLUMN import_batch_id INTEGER REFERENCES import_batches (id);
CREATE INDEX loyalty_batch ON loyalty_ledger (import_batch_id) WHERE import_batch_id IS NOT NULL;
CREATE INDEX loyalty_order ON loyalty_ledger (order_id) WHERE order_id IS NOT NULL;

-- Why a lost prospect was lost, and every move on the board, for conversion per stage.
ALTER TABLE customers ADD COLUMN pipeline_lost_reason TEXT;
CREATE TABLE pipeline_moves (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    from_stage  TEXT,
    to_stage    TEXT,
    moved_at    TEXT NOT NULL
);
CREATE INDEX pipeline_moves_customer ON pipeline_moves (customer_id, moved_at);
CREATE INDEX pipeline_moves_to_stage ON pipeline_moves (to_stage, customer_id);

-- Named filters and sorts of the customer list.
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Import batches may now hold complaints: the kind's CHECK is rebuilt with the table (foreign
-- keys are off while migrations run and checked after).
CREATE TABLE import_batches_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('customers', 'orders', 'interactions', 'survey_responses', 'complaints')),
    source_name  TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    rows_read    INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    reverted_at  TEXT
);
INSERT INTO import_batches_new SELECT id, kind, source_name, started_at, rows_read, created, updated, skipped, reverted_at FROM import_batches;
DROP TABLE import_batches;
ALTER TABLE import_batches_new RENAME TO import_batches;
