-- My day reads the head customers of the latest run (tier A or potential head, a few in a
-- hundred) and, among them, those at risk: without this index each reading walked every
-- member of the run.
CREATE INDEX evaluation_members_head ON evaluation_members (run_id, lifecycle)
    WHERE tier = 'a' OR potential_head = 1;
