"""Save generated aggregates a few hundred at a time, each batch in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEventProtocol

from application.ledger import Ledger

Progress = Callable[[int, int], None]


class Batches:
    """Collects aggregates and saves them in batches of about ``size``.

    What one :meth:`add` receives is never split across batches, so a decision and the cases
    it decides, or a household and its members, land in the same transaction. Events are
    taken from the aggregates when they are added, not when the batch is saved, so the log
    keeps the order in which things happened even when an aggregate is added again later (a
    case decided, then reopened by a complaint, then decided again) before the batch is full.
    ``total`` counts aggregates: progress reports how many have been created.
    """

    def __init__(
        self, ledger: Ledger, total: int, progress: Progress | None, size: int = 500
    ) -> None:
        self.ledger, self.total, self.progress, self.size = ledger, total, progress, size
        self.done = 0
        self._created = 0
        self._added = 0
        self._events: list[DomainEventProtocol[UUID]] = []
        if progress is not None:
            progress(0, total)

    def add(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            events = aggregate.collect_events()
            self._created += sum(1 for e in events if e.originator_version == 1)
            self._events.extend(events)
        self._added += len(aggregates)
        if self._added >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self._events:
            return
        self.ledger.store.save(*self._events)
        self.done += self._created
        self._events, self._created, self._added = [], 0, 0
        if self.progress is not None:
            self.progress(self.done, self.total)
