"""Save generated aggregates a few hundred at a time, each batch in one transaction."""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.domain import Aggregate

from application.core import LedgerCore

Progress = Callable[[int, int], None]


class Batches:
    """Collects aggregates and saves them in batches of about ``size``.

    What one :meth:`add` receives is never split across batches, so a decision and the cases
    it decides, or a household and its members, land in the same transaction.
    """

    def __init__(
        self, ledger: LedgerCore, total: int, progress: Progress | None, size: int = 500
    ) -> None:
        self.ledger, self.total, self.progress, self.size = ledger, total, progress, size
        self.done = 0
        self._pending: list[Aggregate] = []
        if progress is not None:
            progress(0, total)

    def add(self, *aggregates: Aggregate) -> None:
        self._pending.extend(aggregates)
        if len(self._pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        self.ledger.save(*self._pending)
        self.done += len(self._pending)
        self._pending = []
        if self.progress is not None:
            self.progress(self.done, self.total)
