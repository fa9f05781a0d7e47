"""Statistics reports: figures frozen at a log position, and their reproduction from events.

The figures of a report are the lines of the statistics report (``projections.statistics``)
for a unit, a cycle, a structure and optionally one title. They are read from the live
views when that is provably the same as folding the log up to one position, and otherwise
computed by folding the log into a scratch in-memory copy of the two views they need.
:func:`figures_as_of` is that fold; verification runs it again at the report's cut-off.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from application.adapters.read_models import ReadModels
from domain.structures import Structure
from projections.engine import Engine, EventSource, UpTo
from projections.statistics import Statistics
from projections.statistics.queries import Line, report
from projections.store import SQLiteViewStore
from projections.units import Units

#: Read the live views at most this many times before folding a scratch copy instead.
LIVE_ATTEMPTS = 3


def figures_of(lines: list[Line]) -> list[dict[str, Any]]:
    """The report lines as plain JSON values (rates as decimal strings)."""
    return [
        {
            **vars(line),
            "rate_of_registered": _text(line.rate_of_registered),
            "rate_of_subjects": _text(line.rate_of_subjects),
        }
        for line in lines
    ]


def _text(rate: Decimal | None) -> str | None:
    return None if rate is None else str(rate)


def _lines(
    engine: Engine, cycle_year: int, structure: Structure, model: str | None, root_id: str | None
) -> list[Line]:
    return report(
        engine, cycle_year=cycle_year, structure=structure, model=model, root_id=root_id
    ).lines


def frozen_figures(
    models: ReadModels,
    cycle_year: int,
    structure: Structure,
    model: str | None,
    root_id: str | None,
) -> tuple[int, list[dict[str, Any]]]:
    """(cut-off, figures) such that folding the log up to the cut-off gives these figures.

    The live views commit rows and position together, so figures read while neither view
    folded an event it cares about are those of the fold up to the position they reached.
    Under a steady stream of such events, the figures come from a scratch fold instead.
    """
    engine, wanted = models.engine, (Units(), Statistics())
    topics = frozenset().union(*(p.topics for p in wanted))
    for _ in range(LIVE_ATTEMPTS):
        before = [engine.position(p.name, engine.ensure_live(p)) for p in wanted]
        lines = _lines(engine, cycle_year, structure, model, root_id)
        after = [engine.position(p.name, engine.ensure_live(p)) for p in wanted]
        if not _relevant_between(engine.source, min(before), max(after), topics):
            return max(after), figures_of(lines)
    cut_off = engine.source.max_position()
    return cut_off, figures_as_of(engine.source, cut_off, cycle_year, structure, model, root_id)


def _relevant_between(source: EventSource, after: int, upto: int, topics: frozenset[str]) -> bool:
    """Is there an event of these topics after ``after`` and up to ``upto``?"""
    position = after
    while position < upto:
        envelopes, scanned = source.read(position, 1000, topics)
        if any(e.position <= upto for e in envelopes):
            return True
        if scanned <= position:  # the end of the log
            return False
        position = scanned
    return False


def figures_as_of(
    source: EventSource,
    cut_off: int,
    cycle_year: int,
    structure: Structure,
    model: str | None,
    root_id: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Fold the log up to ``cut_off`` into scratch in-memory views and read the figures
    (``progress(position, cut_off)`` as it goes)."""
    views = SQLiteViewStore(f"file:report-{uuid.uuid4().hex}?mode=memory&cache=shared")
    try:
        engine = Engine(views, UpTo(source, cut_off), {p.name: p for p in (Units(), Statistics())})
        engine.create_state_table()
        for projection in engine.projections.values():
            engine.rebuild(projection, progress)
        return figures_of(_lines(engine, cycle_year, structure, model, root_id))
    finally:
        views.close()
