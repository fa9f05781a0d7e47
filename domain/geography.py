"""Which administrative unit stands for which on a given day, and what lies under it.

Records keep the unit valid on their date: a person registered in a commune that merged on
2025-07-01 still names the old commune. Two questions follow from that, asked by roll-ups
(statistics), by scoped authorisation (an officer acts within their unit and the units below
it) and by jurisdiction (an authority decides only for cases in its territory):

* which unit stands for an old one today (forward through successions), and
* what the chain of units above it is on that day.

Both are answered here once, over any store of unit facts (aggregates on the write side, view
rows on the read side), so the two sides cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Protocol, TypeVar

Id = TypeVar("Id", bound=Hashable)


class UnitFacts(Protocol[Id]):  # type: ignore[misc]
    """What the geography needs to know of a unit."""

    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date | None: ...

    @property
    def successor_id(self) -> Id | None: ...

    def is_valid_on(self, day: date) -> bool: ...

    def parent_on(self, day: date) -> Id | None: ...


Lookup = Callable[[Id], "UnitFacts[Id] | None"]


def standing_for(unit_id: Id, day: date, lookup: Lookup[Id]) -> Id:
    """The unit that stands for ``unit_id`` on ``day`` (following successions forward)."""
    seen: set[Id] = set()
    current = unit_id
    while current not in seen and (unit := lookup(current)) is not None:
        seen.add(current)
        if unit.valid_to is not None and unit.valid_to < day and unit.successor_id is not None:
            current = unit.successor_id
            continue
        break
    return current


def chain(unit_id: Id, day: date, lookup: Lookup[Id]) -> list[Id]:
    """The unit standing for ``unit_id`` on ``day``, then its ancestors on that day.

    A unit created after ``day`` (a merged commune seen from the old structure) stays
    itself, under the parent it was created with.
    """
    links = [standing_for(unit_id, day, lookup)]
    while (unit := lookup(links[-1])) is not None:
        parent = unit.parent_on(day if unit.is_valid_on(day) else unit.valid_from)
        if parent is None:
            break
        parent = standing_for(parent, day, lookup)
        if parent in links:
            break
        links.append(parent)
    return links


def covers(root_id: Id, unit_id: Id, day: date, lookup: Lookup[Id]) -> bool:
    """Does ``root_id`` contain ``unit_id`` (itself, below it, or merged into it) on ``day``?"""
    return unit_id == root_id or root_id in chain(unit_id, day, lookup)
