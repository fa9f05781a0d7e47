"""One row per recorded view (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from domain.access import ReadTrail
from projections.actors import ACCOUNT_CREATED, ACCOUNTS, actor_keys, actor_unit, remember_account
from projections.engine import Envelope, Projection, Rows, Table

VIEWS = Table(
    name="views",
    key="position",
    columns=(
        "position",
        "viewer_id",
        "viewer_role",
        "viewer_unit_id",
        "kind",
        "record_id",
        "detail",
        "viewed_at",
    ),
    timestamps=frozenset({"viewed_at"}),
)


class Reads(Projection):
    name = "reads"
    version = 2  # 2: rows carry the viewing account's unit
    tables = (VIEWS, ACCOUNTS)
    topics = frozenset({ReadTrail.Viewed.TOPIC, ACCOUNT_CREATED})
    folder = Path(__file__).parent

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return actor_keys(envelope)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        remember_account(envelope, rows)
        if envelope.topic != ReadTrail.Viewed.TOPIC:
            return
        event = envelope.event
        rows.put(
            "views",
            {
                "position": envelope.position,
                "viewer_id": event.actor_id,
                "viewer_role": event.actor_role,
                "viewer_unit_id": actor_unit(envelope, rows),
                "kind": event.kind,
                "record_id": event.record_id,
                "detail": event.detail,
                "viewed_at": envelope.recorded_at,
            },
        )
