CREATE TABLE IF NOT EXISTS {case_flags} (
    case_id TEXT PRIMARY KEY,
    counter_key TEXT NOT NULL,
    registered INTEGER NOT NULL,
    assessed INTEGER NOT NULL,
    recognised INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS {counts} (
    counter_key TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    model TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    target_group TEXT,
    registered INTEGER NOT NULL,
    assessed INTEGER NOT NULL,
    recognised INTEGER NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS {prefix}_counts_year ON {counts} (cycle_year, model);
-- a unit's report reads the rows of the units inside it, from the index alone
CREATE INDEX IF NOT EXISTS {prefix}_counts_unit ON {counts}
    (unit_id, cycle_year, model, target_group, registered, assessed, recognised);
CREATE TABLE IF NOT EXISTS {subjects} (
    subject_key TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    target_group TEXT,
    subjects INTEGER NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS {prefix}_subjects_unit ON {subjects}
    (unit_id, subject_kind, target_group, subjects);
-- which units' rows moved since a report's kept sums were made (the newest, and those after)
CREATE INDEX IF NOT EXISTS {prefix}_counts_position ON {counts} (position, unit_id);
CREATE INDEX IF NOT EXISTS {prefix}_subjects_position ON {subjects} (position, unit_id)
