"""The ledger of one process: its adapters and services, composed here and nowhere else.

Build one with ``Ledger(settings)`` and ``close()`` it after. Each service takes what it
uses in its constructor; none inherits another. A command reads straight down:
HTTP route → one service → aggregate (domain) → ``Records.save`` → store → hash chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from application.adapters.audit import Auditor
from application.adapters.backends import backend_for, open_store
from application.adapters.blobs import BlobStore, PersonalFiles
from application.adapters.keyed_requests import KeyedRequests
from application.adapters.notary import Cosigner
from application.adapters.vault import PersonalDataVault
from application.adapters.witness_state import WitnessStateFile
from application.services.access import AccessService
from application.services.assessments import AssessmentService
from application.services.complaints import ComplaintService
from application.services.cosignatures import Cosignatures
from application.services.criteria import CriteriaService
from application.services.decisions import DecisionService
from application.services.imports import ImportService
from application.services.names import NameBook
from application.services.records import Clock, Records, SystemClock
from application.services.registry import RegistryService
from application.services.reporting import ReportingService
from application.services.scope import Scopes
from application.services.signin import SignInService
from application.services.witness import Witness, logs_by_origin
from application.settings import Settings
from domain.notes import Vkey


class Ledger:
    """Every command and read of one Hoctap Ledger process, on one store.

    ``registry``, ``criteria``, ``assessments``, ``decisions``, ``complaints``, ``access``,
    ``reports``, ``signin`` (web passwords and sessions) and ``names`` are the services;
    ``records`` loads and saves aggregates; ``scopes`` says who may reach what.
    """

    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, initialise: bool = True
    ) -> None:
        if not initialise:
            settings = settings.reading_only()
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.backend = backend = backend_for(settings)
        self.store = open_store(backend, initialise=initialise)
        keys = backend.key_store(self.store)
        self.idempotency = backend.idempotency_store(self.store)
        checkpoints = backend.checkpoint_table(self.store)
        cosignatures = backend.cosignature_table(self.store)
        credentials = backend.credential_store(self.store)
        if initialise:
            with backend.ddl_lock():
                for table in (keys, self.idempotency, checkpoints, cosignatures, credentials):
                    table.create_table()
        self.vault = PersonalDataVault(keys, settings.key_ring(), settings.lookup_key())
        self.blobs = BlobStore(settings.blobs_path)
        self.files = PersonalFiles(self.blobs, self.vault)
        self.auditor = Auditor(
            self.store, settings.signing_seed(), checkpoints, settings.log_origin
        )
        self.cosignatures = Cosignatures(
            self.auditor, cosignatures, [Vkey.parse(k) for k in settings.witness_keys]
        )
        receipts: Any = self.store.recorder  # the chained recorders keep the receipts
        self.keyed_requests = KeyedRequests(
            self.idempotency, receipts, settings.idempotency_lease_seconds
        )

        self.records = Records(self.store, self.clock)
        self.scopes = Scopes(self.records)
        uploads = settings.max_upload_bytes
        self.registry = RegistryService(self.records, self.scopes, self.vault)
        self.criteria = CriteriaService(self.records, self.scopes)
        self.access = AccessService(self.records, self.scopes, self.clock, settings.token_ttl_hours)
        self.assessments = AssessmentService(
            self.records,
            self.scopes,
            self.criteria,
            self.files,
            uploads,
            self.vault,
            self.access.record_views,
        )
        self.decisions = DecisionService(self.records, self.scopes, self.criteria)
        self.imports = ImportService(
            self.records, self.scopes, self.registry, self.criteria, self.assessments
        )
        self.complaints = ComplaintService(
            self.records, self.scopes, self.criteria, self.vault, self.files, uploads
        )
        self.reports = ReportingService(self.records, self.scopes, self.criteria.structures)
        self.signin = SignInService(credentials, self.records, self.access, self.clock)
        self.names = NameBook(self.records, self.vault, self.access)
        self._closing: list[Callable[[], None]] = []

    def closing(self, release: Callable[[], None]) -> None:
        """Release something built on this ledger (an app's read models) when it closes."""
        self._closing.append(release)

    def close(self) -> None:
        while self._closing:
            self._closing.pop()()
        self.store.close()


def open_witness(key_file: Path, state_file: Path, log_keys: Sequence[str]) -> Witness:
    """A witness with the key in ``key_file`` (``hoctap witness init``), remembering what it
    cosigned in ``state_file``, for the logs whose vkeys are given."""
    cosigner = Cosigner.from_skey(key_file.read_text(encoding="utf-8"))
    logs = logs_by_origin([Vkey.parse(k) for k in log_keys])
    return Witness(cosigner, logs, WitnessStateFile(state_file), lambda: datetime.now(UTC))
