-- The latest run's member rows keep only what the lists filter, sort and count in SQL, with
-- each standing as its place in its set (as the archive keeps it) rather than its text: a
-- third of the bytes. A member's other figures are read from the run's archive. The rows
-- hold one run, so the customer id is their key. They are built again from the archive
-- once this has run.
DROP TABLE evaluation_members;
CREATE TABLE evaluation_members (
    customer_id         INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    run_id              INTEGER NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
    recency_days        INTEGER,
    contribution_minor  INTEGER NOT NULL,
    p_alive             REAL,
    predicted_clv_minor INTEGER,
    last_survey         TEXT,
    tier                INTEGER NOT NULL,
    segment             INTEGER,
    value_class         INTEGER,
    lifecycle           INTEGER NOT NULL,
    service_level       INTEGER NOT NULL,
    behaviour           INTEGER,
    potential_head      INTEGER NOT NULL,
    low_value_runs      INTEGER NOT NULL,
    exit_runs           INTEGER NOT NULL,
    exit_step           INTEGER,
    next_action         INTEGER,
    -- Set when a later order re-evaluated the member, to the date it was evaluated at.
    refreshed_on        TEXT
);
CREATE INDEX evaluation_members_list ON evaluation_members (run_id, predicted_clv_minor, customer_id);
-- Behaviour 0 is active: only active customers fall due for a survey.
CREATE INDEX evaluation_members_behaviour ON evaluation_members (run_id, last_survey, customer_id)
    WHERE behaviour = 0;
-- Tier 0 is A: the head, with the potential head, a few in a hundred.
CREATE INDEX evaluation_members_head_facts ON evaluation_members
    (run_id, lifecycle, tier, potential_head, predicted_clv_minor, recency_days)
    WHERE tier = 0 OR potential_head = 1;
