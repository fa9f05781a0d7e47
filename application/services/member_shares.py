"""Member shares counted from the register: of a unit's members on a day, how many held a
title that day, as the log stood at one position.

The membership comes from the unit's own events (joins and departures with the day they took
effect); the titles from the register view, folded up to the same log position, so the
figure can be recomputed from the log at any later time.

An indicator may count only members of a minimum age ("thành viên từ 15 tuổi trở lên"):
their dates of birth are sealed, so the caller passes a reader that unseals them (and records
that it did). A member whose date of birth cannot be read (never given, or erased) counts as
of age: a missing birth date never takes a member out of the denominator; the figure says how
many such members there were.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.adapters.read_models import ReadModels
from application.services.records import VIETNAM
from domain.base import LedgerAggregate
from domain.dates import age_reached
from domain.glossary import SubjectKind, TitleModel
from domain.registry import Collective
from projections.register.queries import holders_on

#: Read the unit's events this many times, looking for a log position that did not move.
ATTEMPTS = 3


#: Members' dates of birth, as far as they can be read: None for a member with none on record
#: or whose personal data was erased.
BirthDates = Callable[[Collection[UUID]], Mapping[UUID, date | None]]


@dataclass(frozen=True)
class AgeFilter:
    """Count only members ``min_age`` years old or more on the day counted."""

    min_age: int
    birth_dates: BirthDates


@dataclass(frozen=True)
class MemberShare:
    numerator: int
    denominator: int
    log_position: int
    under_age: int = 0  # members left out as younger than the filter's age
    unknown_age: int = 0  # members counted without a readable date of birth


def members_on(events: Sequence[LedgerAggregate.Event], day: date) -> set[UUID]:
    """The people who were members of the unit on ``day`` (joins without an effective date
    count from the day they were recorded, in Vietnam's time)."""
    members: set[UUID] = set()
    for event in events:
        effective = event.effective_date or event.timestamp.astimezone(VIETNAM).date()
        if effective > day:
            continue
        if isinstance(event, Collective.MemberAdded):
            if event.member_kind == SubjectKind.PERSON.value:
                members.add(event.member_id)
        elif isinstance(event, Collective.MemberLeft):
            members.discard(event.member_id)
    return members


def count_member_share(
    models: ReadModels,
    history: Callable[[], Sequence[LedgerAggregate.Event]],
    title: TitleModel,
    as_of: date,
    wait_seconds: float,
    ages: AgeFilter | None = None,
) -> MemberShare:
    """Count at one log position: the unit's events are read between two readings of the
    log's end that agree (else after the last), and the register is read up to that end.
    With ``ages``, only the members of that age on ``as_of`` are counted (see the module)."""
    source = models.engine.source
    position = source.max_position()
    for _ in range(ATTEMPTS):
        events = history()
        after = source.max_position()
        if after == position:
            break
        position = after
    models.require(position, wait_seconds)
    members = members_on(events, as_of)
    under_age: set[UUID] = set()
    unknown_age: set[UUID] = set()
    if ages is not None and members:
        born = ages.birth_dates(members)
        for member in members:
            birth = born.get(member)
            if birth is None:
                unknown_age.add(member)
            elif not age_reached(birth, ages.min_age, as_of):
                under_age.add(member)
        members -= under_age
    held = holders_on(
        models.engine,
        as_of,
        model=title.value,
        subject_ids={str(m) for m in members},
        up_to_position=position,
        limit=len(members) * 10 + 10,  # a member may hold the title under several cases
    )
    holders = {row["subject_id"] for row in held}
    return MemberShare(len(holders), len(members), position, len(under_age), len(unknown_age))
