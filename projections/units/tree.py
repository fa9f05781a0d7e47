"""Administrative geography on a given day, for filters and roll-ups.

Records keep the unit valid on their date. To report under a structure (the three-level one
before 2025-07-01 or the two-level one after), each unit is first carried to the unit that
stands for it on the structure's day: forward through successions when it ended earlier; a
unit created later (a merged commune seen from the old structure) stays itself, under the
parent it was created with. Then its ancestors are those of that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from domain import geography
from domain.text import folded
from projections.engine import Row


@dataclass(frozen=True)
class Unit:
    unit_id: str
    code: str
    name: str
    level: str
    valid_from: date
    valid_to: date | None
    parents: tuple[tuple[str, date], ...]
    successor_id: str | None

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def parent_on(self, day: date) -> str | None:
        current = None
        for parent_id, since in self.parents:
            if since <= day:
                current = parent_id
        return current


class UnitTree:
    def __init__(self, rows: Iterable[Row]) -> None:
        self._within: dict[tuple[str, date], frozenset[str]] = {}
        self.units = {
            r["unit_id"]: Unit(
                unit_id=r["unit_id"],
                code=r["code"],
                name=r["name"],
                level=r["level"],
                valid_from=r["valid_from"],
                valid_to=r["valid_to"],
                parents=tuple((p, date.fromisoformat(d)) for p, d in r["parents"]),
                successor_id=r["successor_id"],
            )
            for r in rows
        }

    @cached_property
    def in_code_order(self) -> list[tuple[Unit, str]]:
        """Every unit in (code, id) order with its name and code as a search folds them
        (made once per tree: a country has ~55,000 units)."""
        ordered = sorted(self.units.values(), key=lambda u: (u.code, u.unit_id))
        return [(u, f"{folded(u.name)}\n{folded(u.code)}") for u in ordered]

    def standing_for(self, unit_id: str, day: date) -> str:
        """The unit that stands for ``unit_id`` on ``day`` (following successions forward)."""
        return geography.standing_for(unit_id, day, self.units.get)

    def chain(self, unit_id: str, day: date) -> list[str]:
        """The unit standing for ``unit_id`` on ``day``, then its ancestors on that day."""
        return geography.chain(unit_id, day, self.units.get)

    def within(self, root_id: str, day: date) -> set[str]:
        """Every unit that rolls up to ``root_id`` on ``day`` (old, merged ones included)."""
        key = (root_id, day)
        if len(self._within) > 4096:  # days asked for are the client's choice: stay bounded
            self._within.clear()
        if key not in self._within:
            self._within[key] = frozenset(
                u for u in self.units if geography.covers(root_id, u, day, self.units.get)
            )
        return set(self._within[key])
