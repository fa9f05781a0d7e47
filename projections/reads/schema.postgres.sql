CREATE TABLE IF NOT EXISTS {views} (
    position BIGINT PRIMARY KEY,
    viewer_id TEXT,
    viewer_role TEXT,
    viewer_unit_id TEXT,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    detail TEXT,
    viewed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}_views_record ON {views} (record_id, position);
CREATE INDEX IF NOT EXISTS {prefix}_views_viewer ON {views} (viewer_id, position);
CREATE INDEX IF NOT EXISTS {prefix}_views_unit ON {views} (viewer_unit_id, position);
CREATE TABLE IF NOT EXISTS {accounts} (
    user_id TEXT PRIMARY KEY,
    unit_id TEXT
)
