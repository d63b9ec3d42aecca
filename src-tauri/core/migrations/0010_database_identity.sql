-- Each database gets its own identity when this migration runs in it, so its backups can be
-- told from those of another database in the same folder (the demo's, a second shop's).
-- A copied file keeps the identity: its backups are earlier states of the same data.
CREATE TABLE database_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL CHECK (length(id) = 32)
);
INSERT INTO database_identity (singleton, id) VALUES (1, lower(hex(randomblob(16))));
