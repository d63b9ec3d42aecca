-- Survey scores and the survey-due list at a million customers.

-- Active members of a run in the order of their last answer (never answered first): the
-- survey-due list pages through it and counts it without reading the member rows.
CREATE INDEX evaluation_members_behaviour ON evaluation_members (run_id, behaviour, last_survey, customer_id);

-- Answers per scale point of every survey, read from the index alone for the survey list.
CREATE INDEX survey_responses_score ON survey_responses (survey_id, score);
