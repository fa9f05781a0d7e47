"""Standings: where each assessment case stands (scores, total, status, decision)."""

from projections.standings.projection import CASES, Standings, evolve

__all__ = ["CASES", "Standings", "evolve"]
