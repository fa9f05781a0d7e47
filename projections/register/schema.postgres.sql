CREATE TABLE IF NOT EXISTS {titles} (
    case_id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    model TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    outcome TEXT,
    decision_id TEXT,
    decision_number TEXT,
    decided_on DATE,
    signer_id TEXT,
    signer_title TEXT,
    authority_name TEXT,
    legal_basis TEXT,
    amends_decision_id TEXT,
    valid_from DATE,
    valid_until DATE,
    revoked_from DATE,
    classification TEXT,
    level INTEGER,
    total NUMERIC,
    reason TEXT,
    decision_recorded_at TIMESTAMPTZ,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}_titles_subject ON {titles} (subject_id);
CREATE INDEX IF NOT EXISTS {prefix}_titles_held ON {titles} (model, outcome, valid_from, valid_until);
-- the register of a year in decision order (its export), without sorting the year
CREATE INDEX IF NOT EXISTS {prefix}_titles_year ON {titles} (cycle_year, decided_on, case_id);
CREATE TABLE IF NOT EXISTS {title_changes} (
    change_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    model TEXT NOT NULL,
    change TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    valid_from DATE,
    valid_until DATE,
    effective_from DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    position BIGINT NOT NULL,
    serial TEXT
);
CREATE INDEX IF NOT EXISTS {prefix}_changes_case ON {title_changes} (case_id, position);
CREATE INDEX IF NOT EXISTS {prefix}_changes_model ON {title_changes} (model, recorded_at);
CREATE UNIQUE INDEX IF NOT EXISTS {prefix}_changes_serial ON {title_changes} (serial)
