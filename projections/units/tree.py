"""Administrative geography on a given day, for filters and roll-ups.

Records keep the unit valid on their date. To report under a structure (the three-level one
before 2025-07-01 or the two-level one after), each unit is first carried to the unit that
stands for it on the structure's day: forward through successions when it ended earlier; a
unit created later (a merged commune seen from the old structure) stays itself, under the
parent it was created with. Then its ancestors are those of that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from domain import geography
from domain.text import folded
from projections.engine import Row

#: Days whose chains and subtrees a tree keeps: reports use two structure days and scoping
#: today's, but days asked for are the client's choice, so the memory stays bounded.
DAYS_KEPT = 8


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
        self._chains: dict[date, dict[str, tuple[str, ...]]] = {}
        self._subtrees: dict[date, dict[str, frozenset[str]]] = {}
        self._nested: dict[date, bool] = {}
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

    def chains(self, day: date) -> Mapping[str, tuple[str, ...]]:
        """Every unit's :meth:`chain` on ``day``, made once per day (a few days kept)."""
        found = self._chains.get(day)
        if found is None:
            if len(self._chains) >= DAYS_KEPT:
                self._chains.clear()
                self._subtrees.clear()
                self._nested.clear()
            lookup = self.units.get
            found = {u: tuple(geography.chain(u, day, lookup)) for u in self.units}
            self._chains[day] = found
        return found

    def nested(self, day: date) -> bool:
        """Does every unit's chain go on as its parent's chain does (no cycle in the parents)?
        Then a unit's roll-up is its own figures and its children's roll-ups."""
        if day not in self._nested:
            chains = self.chains(day)
            self._nested[day] = all(
                len(links) < 2 or chains.get(links[1], links[1:2]) == links[1:]
                for links in chains.values()
            )
        return self._nested[day]

    def within(self, root_id: str, day: date) -> set[str]:
        """Every unit that rolls up to ``root_id`` on ``day`` (old, merged ones included)."""
        subtrees = self._subtrees.get(day)
        if subtrees is None:
            members: dict[str, set[str]] = {}
            for unit_id, links in self.chains(day).items():
                for link in links:
                    members.setdefault(link, set()).add(unit_id)
            subtrees = {link: frozenset(found) for link, found in members.items()}
            self._subtrees[day] = subtrees
        found = set(subtrees.get(root_id, ()))
        if root_id in self.units:  # itself, even when another unit stands for it that day
            found.add(root_id)
        return found
