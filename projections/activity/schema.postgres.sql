CREATE TABLE IF NOT EXISTS {actions} (
    position BIGINT PRIMARY KEY,
    recorded_at TIMESTAMPTZ NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    actor_unit_id TEXT,
    topic TEXT NOT NULL,
    record_id TEXT NOT NULL,
    record_version INTEGER NOT NULL,
    reason TEXT,
    effective_date DATE,
    correlation_id TEXT,
    causation_id TEXT
);
CREATE INDEX IF NOT EXISTS {prefix}_actions_actor ON {actions} (actor_id, recorded_at);
CREATE INDEX IF NOT EXISTS {prefix}_actions_time ON {actions} (recorded_at);
CREATE INDEX IF NOT EXISTS {prefix}_actions_unit ON {actions} (actor_unit_id, position);
CREATE INDEX IF NOT EXISTS {prefix}_actions_record ON {actions} (record_id, position);
CREATE TABLE IF NOT EXISTS {accounts} (
    user_id TEXT PRIMARY KEY,
    unit_id TEXT
)
