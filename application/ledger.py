"""The ledger: every command and read of one Hoctap Ledger process, on one store."""

from __future__ import annotations

from application.access_service import AccessService
from application.complaint_service import ComplaintService
from application.reporting_service import ReportingService


class Ledger(ComplaintService, AccessService, ReportingService):
    """Compose the services; build one with ``Ledger(settings)`` and ``close()`` it after."""
