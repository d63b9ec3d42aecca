-- Survey scores and the survey-due list at a million customers.

-- Active members of a run in the order of their last answer (never answered first): the
-- survey-due list pages through it and counts it without reading the member rows.
CREATE INDEX evaluation_members_behaviour ON evaluation_members (run_id, behaviour, last_survey, customer_id);

-- Who answered lately, found by date: the few customers the survey-due count takes away.
CREATE INDEX survey_responses_day ON survey_responses (responded_on, customer_id);

-- Answers per scale point of every survey, read from the index alone for the survey list.
CREATE INDEX survey_responses_score ON survey_responses (survey_id, score);

-- Erased customers are never due a survey; there are few of them.
CREATE INDEX customers_erased ON customers (erased_at) WHERE erased_at IS NOT NULL;
