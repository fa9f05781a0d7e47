"""The ledger of one process: its adapters and services, composed here and nowhere else.

Build one with ``Ledger(settings)`` and ``close()`` it after. Each service takes what it
uses in its constructor; none inherits another. A command reads straight down:
HTTP route → one service → aggregate (domain) → ``Records.save`` → store → hash chain.
"""

from __future__ import annotations

from typing import Any

from application.access_service import AccessService
from application.assessment_service import AssessmentService
from application.audit import Auditor
from application.backends import backend_for, open_store
from application.blobs import BlobStore
from application.complaint_service import ComplaintService
from application.core import Clock, Records, SystemClock
from application.criteria_service import CriteriaService
from application.decision_service import DecisionService
from application.keyed_requests import KeyedRequests
from application.registry_service import RegistryService
from application.reporting_service import ReportingService
from application.scope import Scopes
from application.settings import Settings
from application.vault import PersonalDataVault


class Ledger:
    """Every command and read of one Hoctap Ledger process, on one store.

    ``registry``, ``criteria``, ``assessments``, ``decisions``, ``complaints``, ``access``
    and ``reports`` are the services; ``records`` loads and saves aggregates; ``scopes``
    says who may reach what.
    """

    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, initialise: bool = True
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.backend = backend = backend_for(settings)
        master_key, lookup_secret = settings.secret_bytes()
        self.store = open_store(backend, initialise=initialise)
        keys = backend.key_store(self.store)
        self.idempotency = backend.idempotency_store(self.store)
        checkpoints = backend.checkpoint_table(self.store)
        if initialise:
            with backend.ddl_lock():
                for table in (keys, self.idempotency, checkpoints):
                    table.create_table()
        self.vault = PersonalDataVault(keys, master_key, lookup_secret)
        self.blobs = BlobStore(settings.blobs_path)
        self.auditor = Auditor(self.store, settings.signing_seed(), checkpoints)
        receipts: Any = self.store.recorder  # the chained recorders keep the receipts
        self.keyed_requests = KeyedRequests(
            self.idempotency, receipts, settings.idempotency_lease_seconds
        )

        self.records = Records(self.store, self.clock)
        self.scopes = Scopes(self.records)
        uploads = settings.max_upload_bytes
        self.registry = RegistryService(self.records, self.scopes, self.vault)
        self.criteria = CriteriaService(self.records, self.scopes)
        self.assessments = AssessmentService(
            self.records, self.scopes, self.criteria, self.blobs, uploads
        )
        self.decisions = DecisionService(self.records, self.scopes, self.criteria)
        self.complaints = ComplaintService(
            self.records, self.scopes, self.criteria, self.vault, self.blobs, uploads
        )
        self.access = AccessService(self.records, self.scopes, self.clock, settings.token_ttl_hours)
        self.reports = ReportingService(self.records, self.scopes)

    def close(self) -> None:
        self.store.close()
