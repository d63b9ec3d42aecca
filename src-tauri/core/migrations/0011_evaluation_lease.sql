-- Who is saving an evaluation run right now, across every process that opens this file.
CREATE TABLE evaluation_lease (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    holder     TEXT NOT NULL,
    taken_at   TEXT NOT NULL,
    renewed_at TEXT NOT NULL
);
