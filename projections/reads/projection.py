"""One row per recorded view (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from domain.access import ReadTrail
from projections.engine import Envelope, Projection, Rows, Table

VIEWS = Table(
    name="views",
    key="position",
    columns=("position", "viewer_id", "viewer_role", "kind", "record_id", "detail", "viewed_at"),
    timestamps=frozenset({"viewed_at"}),
)


class Reads(Projection):
    name = "reads"
    version = 1
    tables = (VIEWS,)
    topics = frozenset({ReadTrail.Viewed.TOPIC})
    folder = Path(__file__).parent

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return ()

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        event = envelope.event
        rows.put(
            "views",
            {
                "position": envelope.position,
                "viewer_id": event.actor_id,
                "viewer_role": event.actor_role,
                "kind": event.kind,
                "record_id": event.record_id,
                "detail": event.detail,
                "viewed_at": envelope.recorded_at,
            },
        )
