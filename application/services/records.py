"""Records on the event store, the clock, and what a command answers (``Recorded``).

Command methods (in the ``*_service`` modules) are short: load, decide in the aggregate,
save, return where the change landed. Each runs inside :func:`domain.base.acting`, so every
event records who acted, in which role, and for which request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.adapters.store import HoctapStore, replay
from domain.base import LedgerAggregate
from domain.errors import DateOutOfOrder, NotFound, PreconditionFailed, VersionConflict

VIETNAM = timezone(timedelta(hours=7), "ICT")

#: What people read when a record of a given kind is not found.
_KIND_VI = {
    "AdministrativeUnit": "đơn vị hành chính",
    "Person": "công dân",
    "Collective": "hộ, dòng họ, cộng đồng hoặc đơn vị",
    "CriteriaSet": "bộ tiêu chí",
    "CriteriaCatalogue": "danh mục bộ tiêu chí",
    "AssessmentCase": "hồ sơ đánh giá",
    "RecognitionDecision": "quyết định công nhận",
    "UserAccount": "người dùng",
    "ApiToken": "mã truy cập",
    "StatisticsReport": "báo cáo thống kê",
}
A = TypeVar("A", bound=Aggregate)


def _not_found(cls: type[Aggregate], aggregate_id: UUID) -> NotFound:
    what = _KIND_VI.get(cls.__name__, cls.__name__)
    return NotFound(f"không tìm thấy {what}", kind=cls.__name__, id=str(aggregate_id))


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(VIETNAM)


@dataclass
class FixedClock:
    """A clock for tests: time is passed in, never read from the machine."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass(frozen=True)
class Recorded:
    """Where a command's change landed: the aggregate, its new version, its log position."""

    id: UUID
    version: int
    position: int | None


def check_version(aggregate: Aggregate, expected_version: int | None) -> None:
    """Refuse (412) when the client's If-Match is not the aggregate's current version.

    Commands that check scope call this after the scope check, so someone outside the scope
    learns nothing of a record's version."""
    if expected_version is not None and aggregate.version != expected_version:
        raise PreconditionFailed(
            "bản ghi đã thay đổi kể từ lần đọc",
            expected_version=expected_version,
            current_version=aggregate.version,
        )


class Records:
    """Load and save aggregates on the event store: the one way every service reaches it.

    ``get`` refuses (404) a record of the wrong kind, ``save`` turns a concurrent change into
    a 409, and ``step_day`` is the date of a process step (today unless given, never later).
    """

    def __init__(self, store: HoctapStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def today(self) -> date:
        return self.clock.now().astimezone(VIETNAM).date()

    def step_day(self, on: date | None) -> date:
        """The date of a step: today unless given; never a day that has not come yet."""
        today = self.today()
        if on is not None and on > today:
            raise DateOutOfOrder(
                "ngày của bước không được ở tương lai", on=on.isoformat(), today=today.isoformat()
            )
        return on or today

    def get(self, cls: type[A], aggregate_id: UUID, expected_version: int | None = None) -> A:
        """Load an aggregate of a given class, or raise NotFound."""
        try:
            aggregate: Aggregate | None = self.store.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise _not_found(cls, aggregate_id)
        check_version(aggregate, expected_version)
        return aggregate

    def load_all(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, Aggregate]:
        """Several aggregates read in one round trip (those that exist).

        A command loads at least the record it changes and the actor's account (for the
        actor's scope); reading both at once saves a database round trip per command.
        """
        recorder: Any = self.store.recorder
        stored = recorder.select_events_of(list(dict.fromkeys(aggregate_ids)))
        to_event = self.store.mapper.to_domain_event
        return {
            aggregate_id: replay(None, map(to_event, events))
            for aggregate_id, events in stored.items()
        }

    def get_as(self, cls: type[A], aggregate_id: UUID, loaded: dict[UUID, Aggregate]) -> A:
        """``aggregate_id`` from what :meth:`load_all` returned, as :meth:`get` would give it."""
        aggregate = loaded.get(aggregate_id)
        if not isinstance(aggregate, cls):
            raise _not_found(cls, aggregate_id)
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self.get(cls, aggregate_id)
        except NotFound:
            return None

    def tail(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """An append-only aggregate at its current version, without replaying it: ``None``
        when absent or of another kind, as :meth:`find` would answer.

        Two indexed reads whatever the aggregate's length: its creation event (which alone
        rebuilds an ``append_only`` aggregate's state) and its last event (its version and
        modification time). A new event triggered on the result and saved is checked like
        any other: a concurrent append fails on the version and is a VersionConflict.
        Refused for a class that is not ``append_only``, whose later events would be lost.
        """
        if getattr(cls, "append_only", False) is not True:
            raise TypeError(f"{cls.__name__} is not append_only: load it with get or find")
        recorder = self.store.recorder
        first = recorder.select_events(aggregate_id, limit=1)
        if not first:
            return None
        to_event: Any = self.store.mapper.to_domain_event  # our events: mutate, timestamp
        aggregate = to_event(first[0]).mutate(None)
        if not isinstance(aggregate, cls):
            return None
        last = recorder.select_events(aggregate_id, desc=True, limit=1)
        if last and last[0].originator_version > aggregate.version:
            latest = to_event(last[0])
            aggregate.version = latest.originator_version
            aggregate.modified_on = latest.timestamp
        return aggregate

    def history(self, aggregate_id: UUID) -> list[LedgerAggregate.Event]:
        """The events of one aggregate, oldest first (a case's timeline)."""
        events = self.store.repository.event_store.get(aggregate_id)
        return [e for e in events if isinstance(e, LedgerAggregate.Event)]

    def save(self, *aggregates: Aggregate) -> Recorded:
        """Save in one transaction; a concurrent change or a duplicate id is a VersionConflict."""
        try:
            recordings = self.store.save(*aggregates)
        except IntegrityError as exc:
            raise VersionConflict(
                "xung đột: bản ghi đã tồn tại hoặc vừa bị người khác thay đổi, hãy tải lại",
                ids=[str(a.id) for a in aggregates],
            ) from exc
        first = aggregates[0]
        position = recordings[-1].notification.id if recordings else None
        return Recorded(first.id, first.version, position)
