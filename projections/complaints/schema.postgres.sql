CREATE TABLE IF NOT EXISTS {complaints} (
    complaint_id TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    status TEXT NOT NULL,
    case_ids TEXT NOT NULL,
    unit_id TEXT,
    complainant_id TEXT NOT NULL,
    decision_id TEXT,
    received_on DATE NOT NULL,
    filing_deadline DATE NOT NULL,
    acceptance_deadline DATE NOT NULL,
    resolution_deadline DATE,
    next_step TEXT,
    next_deadline DATE,
    handler_id TEXT,
    outcome TEXT,
    closed_on DATE,
    resolved_late BOOLEAN,
    escalated_to TEXT,
    lawsuit_on DATE,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}_complaints_due ON {complaints} (next_deadline);
CREATE INDEX IF NOT EXISTS {prefix}_complaints_unit ON {complaints} (unit_id, next_deadline)
