-- Deleted and erased customers, few, by owner: My day and the agenda count open follow-ups
-- and new detractors from their own indexes and leave these customers out through this one,
-- instead of reading the customer of every counted row.
CREATE INDEX customers_not_live ON customers (owner) WHERE deleted_at IS NOT NULL OR erased_at IS NOT NULL;

-- Head members of a run with what My day shows of them, so that counting and ordering them
-- reads this index alone (the one it replaces held only the lifecycle and sent every count
-- to the member rows). Written only for head members, a few in a hundred.
DROP INDEX evaluation_members_head;
CREATE INDEX evaluation_members_head_facts ON evaluation_members
    (run_id, lifecycle, tier, potential_head, predicted_clv_minor, recency_days)
    WHERE tier = 'a' OR potential_head = 1;
