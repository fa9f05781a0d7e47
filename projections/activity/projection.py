"""One row per event: who, in which role, what, on which record, when and why (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from projections.actors import ACCOUNTS, actor_keys, actor_unit, remember_account
from projections.engine import Envelope, Projection, Row, Rows, Table

ACTIONS = Table(
    name="actions",
    key="position",
    columns=(
        "position",
        "recorded_at",
        "actor_id",
        "actor_role",
        "actor_unit_id",
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


def action(envelope: Envelope, actor_unit_id: str | None) -> Row:
    event = envelope.event
    return {
        "position": envelope.position,
        "recorded_at": envelope.recorded_at,
        "actor_id": getattr(event, "actor_id", None),
        "actor_role": getattr(event, "actor_role", None),
        "actor_unit_id": actor_unit_id,
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
    version = 2  # 2: rows carry the acting account's unit
    tables = (ACTIONS, ACCOUNTS)
    topics: frozenset[str] = frozenset()  # every event
    folder = Path(__file__).parent

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return actor_keys(envelope)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        remember_account(envelope, rows)
        rows.put("actions", action(envelope, actor_unit(envelope, rows)))
