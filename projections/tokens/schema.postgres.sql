CREATE TABLE IF NOT EXISTS {tokens} (
    token_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    label TEXT,
    issued_at TIMESTAMPTZ NOT NULL,
    issued_by TEXT,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by TEXT,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}_tokens_user ON {tokens} (user_id, position)
