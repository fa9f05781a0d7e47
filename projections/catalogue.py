"""Every read model of Hoctap Ledger, by name."""

from __future__ import annotations

from projections.activity import Activity
from projections.complaints import Complaints
from projections.engine import Projection
from projections.reads import Reads
from projections.register import Register
from projections.standings import Standings
from projections.statistics import Statistics
from projections.tokens import Tokens
from projections.units import Units


def all_projections() -> dict[str, Projection]:
    items: list[Projection] = [
        Units(),
        Standings(),
        Register(),
        Statistics(),
        Complaints(),
        Reads(),
        Activity(),
        Tokens(),
    ]
    return {p.name: p for p in items}
