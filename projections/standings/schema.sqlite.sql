CREATE TABLE IF NOT EXISTS {cases} (
    case_id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    model TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    criteria_set_id TEXT NOT NULL,
    criteria_set_code TEXT NOT NULL,
    criteria_set_version INTEGER,
    target_group TEXT,
    status TEXT NOT NULL,
    scores TEXT NOT NULL,
    total NUMERIC NOT NULL,
    classification TEXT,
    recommended INTEGER,
    evidence_count INTEGER NOT NULL,
    decision_id TEXT,
    decision_number TEXT,
    decided_on TEXT,
    valid_from TEXT,
    valid_until TEXT,
    expired_on TEXT,
    opened_on TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}_cases_filter ON {cases} (model, cycle_year, status);
CREATE INDEX IF NOT EXISTS {prefix}_cases_unit ON {cases} (unit_id, model, cycle_year);
CREATE INDEX IF NOT EXISTS {prefix}_cases_subject ON {cases} (subject_id);
CREATE INDEX IF NOT EXISTS {prefix}_cases_updated ON {cases} (updated_at, case_id);
-- Lists filtered by status, newest first (GET /standings?status=): a range scan of one page
-- instead of reading every row of that status (measured in ops/bench/reads.py).
CREATE INDEX IF NOT EXISTS {prefix}_cases_status ON {cases} (status, updated_at, case_id)
