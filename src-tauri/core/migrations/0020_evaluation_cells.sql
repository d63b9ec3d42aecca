-- Standings of each run in compact form, so that what groups or counts members by standing
-- reads a few hundred cells and two bytes a customer instead of a million member rows.

-- Members of each run per standing cell (tier, RFM segment, value class, lifecycle stage,
-- service level), numbered within the run: the customer list counts a filter from them.
-- Written with the run; a refresh moves members between cells.
CREATE TABLE evaluation_cells (
    run_id        INTEGER NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
    cell          INTEGER NOT NULL,
    tier          TEXT,
    segment       TEXT,
    value_class   TEXT,
    lifecycle     TEXT,
    service_level TEXT,
    members       INTEGER NOT NULL CHECK (members >= 0),
    PRIMARY KEY (run_id, cell)
) WITHOUT ROWID;

-- Each member's cell number by customer id: `codes` holds a little-endian u16 for each id
-- from `first_customer` on (65535: not a member). Read whole by the survey results.
CREATE TABLE evaluation_standings (
    run_id         INTEGER PRIMARY KEY REFERENCES evaluation_runs (id) ON DELETE CASCADE,
    first_customer INTEGER NOT NULL,
    codes          BLOB NOT NULL
);

-- Both are filled for the stored runs by the migration's Rust step.

-- Each answer carries its customer's owner, kept by triggers, so that a survey's results read
-- its answers from one index without looking up a customer for each.
ALTER TABLE survey_responses ADD COLUMN owner TEXT;
UPDATE survey_responses SET owner = (SELECT owner FROM customers c WHERE c.id = survey_responses.customer_id);
CREATE TRIGGER survey_responses_owner_on_insert AFTER INSERT ON survey_responses
BEGIN
    UPDATE survey_responses SET owner = (SELECT owner FROM customers WHERE id = NEW.customer_id) WHERE id = NEW.id;
END;
CREATE TRIGGER survey_responses_owner_on_move AFTER UPDATE OF customer_id ON survey_responses
BEGIN
    UPDATE survey_responses SET owner = (SELECT owner FROM customers WHERE id = NEW.customer_id) WHERE id = NEW.id;
END;
CREATE TRIGGER customers_owner_to_survey_responses AFTER UPDATE OF owner ON customers
WHEN OLD.owner IS NOT NEW.owner
BEGIN
    UPDATE survey_responses SET owner = NEW.owner WHERE customer_id = NEW.id;
END;
DROP INDEX survey_responses_survey;
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, responded_on, customer_id, score, owner);
