"""Unit statistics: subjects registered, assessed and recognised per unit, title and year."""

from projections.statistics.projection import COUNTS, FLAGS, SUBJECTS, Statistics, flags_after

__all__ = ["COUNTS", "FLAGS", "SUBJECTS", "Statistics", "flags_after"]
