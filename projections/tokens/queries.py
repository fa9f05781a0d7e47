"""An account's tokens, newest first."""

from __future__ import annotations

from projections.engine import Engine, Row
from projections.tokens.projection import TOKENS, Tokens


def tokens_of(engine: Engine, user_id: str, limit: int = 200) -> list[Row]:
    projection = Tokens()
    table = engine.qualified(projection, engine.ensure_live(projection), "tokens")
    mark = engine.store.mark
    sql = f"SELECT * FROM {table} WHERE user_id = {mark} ORDER BY position DESC LIMIT {int(limit)}"
    return [TOKENS.decode(r) for r in engine.store.fetch_all(sql, [user_id])]
