"""The fold of administrative-unit events into one row per unit (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from domain.registry import AdministrativeUnit as Unit
from projections.engine import Envelope, Projection, Row, RowPerAggregate, Rows, Table

UNITS = Table(
    name="units",
    key="unit_id",
    columns=(
        "unit_id",
        "code",
        "name",
        "level",
        "unit_type",
        "valid_from",
        "valid_to",
        "parents",
        "successor_id",
        "predecessor_ids",
        "position",
    ),
    dates=frozenset({"valid_from", "valid_to"}),
    jsons=frozenset({"parents", "predecessor_ids"}),
)

TOPICS = frozenset(
    {
        Unit.Established.TOPIC,
        Unit.ParentChanged.TOPIC,
        Unit.Merged.TOPIC,
        Unit.SuccessionRecorded.TOPIC,
    }
)


def evolve(row: Row | None, envelope: Envelope) -> Row | None:
    event, topic = envelope.event, envelope.topic
    if topic == Unit.Established.TOPIC:
        parents = [[str(event.parent_id), event.valid_from.isoformat()]] if event.parent_id else []
        row = {
            "unit_id": str(event.originator_id),
            "code": event.code,
            "name": event.name,
            "level": event.level,
            "unit_type": event.unit_type,
            "valid_from": event.valid_from,
            "valid_to": event.valid_to,
            "parents": parents,
            "successor_id": None,
            "predecessor_ids": [],
        }
    if row is None:
        return None
    row = dict(row)
    if topic == Unit.ParentChanged.TOPIC:
        row["parents"] = [*row["parents"], [str(event.parent_id), event.from_date.isoformat()]]
    elif topic == Unit.Merged.TOPIC:
        row["successor_id"] = str(event.successor_id)
        row["valid_to"] = event.from_date - timedelta(days=1)
    elif topic == Unit.SuccessionRecorded.TOPIC:
        row["predecessor_ids"] = [*row["predecessor_ids"], *map(str, event.predecessor_ids)]
    row["position"] = envelope.position
    return row


class Units(Projection):
    name = "units"
    #: 2: indexed by position (whether a kept unit tree is still the view's)
    version = 2
    tables = (UNITS,)
    topics = TOPICS
    folder = Path(__file__).parent

    fold = RowPerAggregate("units", evolve)

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return self.fold.keys(envelope)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        self.fold.apply(envelope, rows)
