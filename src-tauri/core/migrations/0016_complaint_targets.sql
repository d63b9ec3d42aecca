-- Complaints logged before response targets existed get the standard target (24 hours from
-- opening), so none of them is silently left off the list of complaints past their target.
UPDATE complaints SET response_due_at = datetime(opened_at, '+24 hours') WHERE response_due_at IS NULL;
