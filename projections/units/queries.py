"""Find administrative units by name or code, within a part of the geography."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from itertools import islice

from domain.text import folded
from projections.units.tree import Unit, UnitTree


@dataclass(frozen=True)
class UnitsPage:
    items: list[Unit]
    #: The code and id of the last unit shown: the next page starts after it.
    next_after: tuple[str, str] | None


def listed(
    tree: UnitTree,
    *,
    day: date,
    query: str | None = None,
    within: Collection[str] | None = None,
    level: str | None = None,
    include_ended: bool = False,
    after: tuple[str, str] | None = None,
    limit: int = 50,
) -> UnitsPage:
    """Units in code order whose name or code holds ``query`` (accents and case ignored),
    among ``within`` (``None``: all), valid on ``day`` unless ``include_ended``."""
    wanted = folded(query) if query else ""
    page: list[Unit] = []
    ordered = tree.in_code_order
    start = 0 if after is None else bisect_right(ordered, after, key=_code_key)
    for unit, words in islice(ordered, start, None):
        if (
            (within is None or unit.unit_id in within)
            and (level is None or unit.level == level)
            and (include_ended or unit.is_valid_on(day))
            and wanted in words
        ):
            if len(page) == limit:
                return UnitsPage(page, (page[-1].code, page[-1].unit_id))
            page.append(unit)
    return UnitsPage(page, None)


def _code_key(item: tuple[Unit, str]) -> tuple[str, str]:
    return item[0].code, item[0].unit_id
