CREATE TABLE IF NOT EXISTS {complaints} (
    complaint_id TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    status TEXT NOT NULL,
    case_ids TEXT NOT NULL,
    unit_id TEXT,
    complainant_id TEXT NOT NULL,
    decision_id TEXT,
    received_on TEXT NOT NULL,
    filing_deadline TEXT NOT NULL,
    acceptance_deadline TEXT NOT NULL,
    resolution_deadline TEXT,
    next_step TEXT,
    next_deadline TEXT,
    handler_id TEXT,
    outcome TEXT,
    closed_on TEXT,
    resolved_late INTEGER,
    escalated_to TEXT,
    lawsuit_on TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}_complaints_due ON {complaints} (next_deadline);
CREATE INDEX IF NOT EXISTS {prefix}_complaints_unit ON {complaints} (unit_id, next_deadline)
