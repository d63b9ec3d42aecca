-- Complaints logged before response targets existed get the standard target (24 hours from
-- opening), so none of them is silently left off the list of complaints past their target.
UPDATE complaints SET response_due_at = datetime(opened_at, '+24 hours') WHERE response_due_at IS NULL;

-- The open complaints in response-due order, with what the list of open complaints filters on,
-- so that list and its count read only this index, not the table, at any size.
CREATE INDEX complaints_open_due ON complaints (response_due_at, customer_id, first_response_at)
    WHERE status IN ('open', 'in_progress');
