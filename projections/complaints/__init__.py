"""Complaints and their next deadline: which are overdue, which are nearly due."""

from projections.complaints.projection import COMPLAINTS, Complaints, evolve

__all__ = ["COMPLAINTS", "Complaints", "evolve"]
