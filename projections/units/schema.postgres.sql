CREATE TABLE IF NOT EXISTS {units} (
    unit_id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    parents TEXT NOT NULL,
    successor_id TEXT,
    predecessor_ids TEXT NOT NULL,
    position BIGINT NOT NULL
);
-- the newest change of any unit: whether a kept unit tree is still the view's
CREATE INDEX IF NOT EXISTS {prefix}_units_position ON {units} (position)
