"""Administrative units with their parents over time and their successions."""

from projections.units.projection import UNITS, Units, evolve

__all__ = ["UNITS", "Units", "evolve"]
