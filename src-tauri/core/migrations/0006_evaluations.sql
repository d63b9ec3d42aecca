-- Evaluations: each run keeps the settings and population-wide model it used, and every
-- customer's measures and assignments, so history and migration between runs can be shown
-- and every reason recomputed from what was stored.
CREATE TABLE evaluation_runs (
    id          INTEGER PRIMARY KEY,
    as_of       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('manual', 'import', 'command_line')),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    settings    TEXT NOT NULL,
    model       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    customers   INTEGER NOT NULL,
    seconds     REAL NOT NULL,
    -- Members are saved in batches so other writers are never held up long; a run counts
    -- only once all of them are in.
    complete    INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1))
);
CREATE INDEX evaluation_runs_as_of ON evaluation_runs (as_of, id) WHERE complete = 1;

CREATE TABLE evaluation_members (
    run_id                        INTEGER NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
    customer_id                   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    -- Measures.
    recency_days                  INTEGER,
    purchase_days                 INTEGER NOT NULL,
    span_days                     INTEGER NOT NULL,
    median_gap_days               INTEGER,
    last_gap_days                 INTEGER,
    frequency                     INTEGER NOT NULL,
    monetary_minor                INTEGER NOT NULL,
    contribution_minor            INTEGER NOT NULL,
    historical_clv_minor          INTEGER NOT NULL,
    window_margin_minor           INTEGER NOT NULL,
    window_service_cost_minor     INTEGER NOT NULL,
    previous_window_revenue_minor INTEGER NOT NULL,
    p_alive                       REAL,
    expected_purchases            REAL,
    predicted_clv_minor           INTEGER,
    is_kol                        INTEGER NOT NULL,
    referrals                     INTEGER NOT NULL,
    open_complaints               INTEGER NOT NULL,
    follow_up_due                 TEXT,
    last_survey                   TEXT,
    categories                    INTEGER NOT NULL,
    returned_after_churn          INTEGER NOT NULL,
    low_value_runs_before         INTEGER NOT NULL,
    exit_runs_before              INTEGER NOT NULL,
    -- Decisions.
    r_score                       INTEGER,
    f_score                       INTEGER,
    m_score                       INTEGER,
    segment                       TEXT,
    value_class                   TEXT,
    tier                          TEXT NOT NULL,
    potential_head                INTEGER NOT NULL,
    influential                   INTEGER NOT NULL,
    lifecycle                     TEXT NOT NULL,
    behaviour                     TEXT,
    service_level                 TEXT NOT NULL,
    low_value_runs                INTEGER NOT NULL,
    exit_runs                     INTEGER NOT NULL,
    exit_step                     TEXT,
    next_action                   TEXT,
    upsell_category               INTEGER,
    -- Set when a later order re-evaluated this member against the run's model, and the
    -- date it was evaluated at then.
    refreshed_on                  TEXT,
    PRIMARY KEY (run_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX evaluation_members_customer ON evaluation_members (customer_id, run_id);
