"""Who viewed which personal record, evidence file or export (the audit of reads)."""

from projections.reads.projection import VIEWS, Reads

__all__ = ["VIEWS", "Reads"]
