"""One row per event: who, in which role, what, on which record, when and why (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from projections.engine import Envelope, Projection, Row, Rows, Table

ACTIONS = Table(
    name="actions",
    key="position",
    columns=(
        "position",
        "recorded_at",
        "actor_id",
        "actor_role",
        "topic",
        "record_id",
        "record_version",
        "reason",
        "effective_date",
        "correlation_id",
        "causation_id",
    ),
    dates=frozenset({"effective_date"}),
    timestamps=frozenset({"recorded_at"}),
)


def action(envelope: Envelope) -> Row:
    event = envelope.event
    return {
        "position": envelope.position,
        "recorded_at": envelope.recorded_at,
        "actor_id": getattr(event, "actor_id", None),
        "actor_role": getattr(event, "actor_role", None),
        "topic": envelope.topic,
        "record_id": str(event.originator_id),
        "record_version": event.originator_version,
        "reason": getattr(event, "reason", None),
        "effective_date": getattr(event, "effective_date", None),
        "correlation_id": getattr(event, "correlation_id", None),
        "causation_id": getattr(event, "causation_id", None),
    }


class Activity(Projection):
    name = "activity"
    version = 1
    tables = (ACTIONS,)
    topics: frozenset[str] = frozenset()  # every event
    folder = Path(__file__).parent

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return ()

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        rows.put("actions", action(envelope))
