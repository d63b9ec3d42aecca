-- The follow-up dates interactions carried become follow-ups, due at nine in the morning,
-- for the interaction's owner or else the customer's; a done one is completed now. Due times
-- are written as the app writes local times ('YYYY-MM-DD HH:MM:SS'), so they sort together.
INSERT INTO follow_ups (customer_id, due_at, owner, reason, source, interaction_id, created_at, completed_at)
SELECT i.customer_id, i.next_follow_up_on || ' 09:00:00', coalesce(i.owner, c.owner), i.outcome, 'interaction', i.id,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
       CASE WHEN i.done = 1 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
FROM interactions i JOIN customers c ON c.id = i.customer_id
WHERE i.next_follow_up_on IS NOT NULL
ORDER BY i.id;

DROP INDEX interactions_follow_up;
ALTER TABLE interactions DROP COLUMN next_follow_up_on;
ALTER TABLE interactions DROP COLUMN done;
