"""The ledger of one process: its adapters and services, composed here and nowhere else.

Build one with ``Ledger(settings)`` and ``close()`` it after. Each service takes what it
uses in its constructor; none inherits another. A command reads straight down:
HTTP route → one service → aggregate (domain) → ``Records.save`` → store → hash chain.
"""

from __future__ import annotations

from typing import Any

from application.adapters.audit import Auditor
from application.adapters.backends import backend_for, open_store
from application.adapters.blobs import BlobStore, PersonalFiles
from application.adapters.keyed_requests import KeyedRequests
from application.adapters.vault import PersonalDataVault
from application.services.access import AccessService
from application.services.assessments import AssessmentService
from application.services.complaints import ComplaintService
from application.services.criteria import CriteriaService
from application.services.decisions import DecisionService
from application.services.records import Clock, Records, SystemClock
from application.services.registry import RegistryService
from application.services.reporting import ReportingService
from application.services.scope import Scopes
from application.settings import Settings


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
        self.store = open_store(backend, initialise=initialise)
        keys = backend.key_store(self.store)
        self.idempotency = backend.idempotency_store(self.store)
        checkpoints = backend.checkpoint_table(self.store)
        if initialise:
            with backend.ddl_lock():
                for table in (keys, self.idempotency, checkpoints):
                    table.create_table()
        self.vault = PersonalDataVault(keys, settings.key_ring(), settings.lookup_key())
        self.blobs = BlobStore(settings.blobs_path)
        self.files = PersonalFiles(self.blobs, self.vault)
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
            self.records, self.scopes, self.criteria, self.files, uploads
        )
        self.decisions = DecisionService(self.records, self.scopes, self.criteria)
        self.complaints = ComplaintService(
            self.records, self.scopes, self.criteria, self.vault, self.files, uploads
        )
        self.access = AccessService(self.records, self.scopes, self.clock, settings.token_ttl_hours)
        self.reports = ReportingService(self.records, self.scopes)

    def close(self) -> None:
        self.store.close()
