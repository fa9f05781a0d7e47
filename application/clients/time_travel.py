"""Time travel over a case: how it stood at a version or an instant, and what-if evaluations.

Nothing here writes. A past state is rebuilt from the case's own events; a re-evaluation
applies :func:`domain.evaluation.evaluate` to the case's current scores under its pinned
criteria set and under another one, and reports the difference item by item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import takewhile
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

from application.ledger import Ledger
from application.services.records import VIETNAM
from domain.assessment import AssessmentCase
from domain.base import LedgerAggregate
from domain.criteria import CriteriaSpec, parse_spec
from domain.errors import InvalidInput, NotFound, StepOutOfOrder, WrongCriteriaSet
from domain.evaluation import Verdict, evaluate
from domain.text import nfc

T = TypeVar("T")


# --- the case at a point in its history --------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a case: which version it made, when it was recorded, who, why."""

    version: int
    recorded_at: datetime
    topic: str
    actor_id: str
    actor_role: str
    reason: str | None
    effective_date: date | None


def case_history(ledger: Ledger, case_id: UUID) -> list[HistoryEntry]:
    """Every event of the case in order; NotFound if there is no such case."""
    return [
        HistoryEntry(
            version=e.originator_version,
            recorded_at=e.timestamp,
            topic=topic,
            actor_id=e.actor_id,
            actor_role=e.actor_role,
            reason=e.reason,
            effective_date=e.effective_date,
        )
        for topic, e in _case_events(ledger, case_id)
    ]


def case_as_of(
    ledger: Ledger,
    case_id: UUID,
    *,
    version: int | None = None,
    at: datetime | None = None,
    effective_on: date | None = None,
) -> AssessmentCase:
    """The case exactly as it stood at ``version``; or as known at the recorded instant
    ``at``; or as in effect on the day ``effective_on``; or both of the last two.

    Two time axes: ``at`` is when the ledger learnt of each step (the last version whose
    event, and every event before it, was recorded at or before ``at``; without a time zone,
    Vietnam time). ``effective_on`` is when each step took effect (its effective date: a step
    entered on 3 March with the council's date of 21 February is in effect on 21 February).
    Given both, the steps known at ``at`` that were in effect on ``effective_on``. Steps of a
    case never go back in effective date, so those are always a first run of its versions;
    a step with no effective date of its own takes the one before it.

    ``version`` excludes the other two (InvalidInput otherwise, and for a version the case
    never had); NotFound if there is no such case, or nothing of it at that point.
    """
    if (version is None) == (at is None and effective_on is None):
        raise InvalidInput("cần version, hoặc at và/hoặc effective_on (không kèm version)")
    events = [e for _, e in _case_events(ledger, case_id)]
    current = events[-1].originator_version
    if version is None:
        seen = events
        if at is not None:
            instant = at if at.tzinfo is not None else at.replace(tzinfo=VIETNAM)
            seen = list(takewhile(lambda e: e.timestamp <= instant, seen))
        if effective_on is not None:
            in_effect = takewhile(lambda day: day <= effective_on, _effective_days(seen))
            seen = seen[: sum(1 for _ in in_effect)]
        if not seen:
            raise NotFound(
                "hồ sơ chưa tồn tại vào thời điểm này",
                id=str(case_id),
                at=at.isoformat() if at else None,
                effective_on=effective_on.isoformat() if effective_on else None,
                opened_at=events[0].timestamp.isoformat(),
            )
        version = seen[-1].originator_version
    elif not 1 <= version <= current:
        raise InvalidInput(
            f"phiên bản phải từ 1 đến {current}", version=version, current_version=current
        )
    case: object = ledger.store.repository.get(case_id, version=version)
    if not isinstance(case, AssessmentCase):
        raise NotFound("không tìm thấy hồ sơ đánh giá", kind="AssessmentCase", id=str(case_id))
    return case


def _effective_days(events: list[LedgerAggregate.Event]) -> list[date]:
    """Each event's effective date; one without takes the date before it (the first, the
    day it was recorded, in Vietnam)."""
    days: list[date] = []
    for event in events:
        own = getattr(event, "effective_date", None)
        days.append(own or (days[-1] if days else event.timestamp.astimezone(VIETNAM).date()))
    return days


def _case_events(ledger: Ledger, case_id: UUID) -> list[tuple[str, LedgerAggregate.Event]]:
    """(stored topic, decoded event) of each event of the case, in order."""
    stored = ledger.store.recorder.select_events(case_id)
    events = [(s.topic, ledger.store.mapper.to_domain_event(s)) for s in stored]
    if not events or not isinstance(events[0][1], AssessmentCase.Opened):
        raise NotFound("không tìm thấy hồ sơ đánh giá", kind="AssessmentCase", id=str(case_id))
    return cast(list[tuple[str, LedgerAggregate.Event]], events)


# --- what-if evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Compared(Generic[T]):
    """One value under the pinned set and under the other set."""

    pinned: T
    other: T
    changed: bool

    @classmethod
    def of(cls, pinned: T, other: T) -> Compared[T]:
        return cls(pinned, other, pinned != other)


@dataclass(frozen=True)
class SetRef:
    """Which criteria set: a published version, or amended content (no id, no version)."""

    set_id: UUID | None
    code: str
    version: int | None
    title: str


@dataclass(frozen=True)
class IndicatorComparison:
    """One indicator; ``None`` under a set that lacks it, or has no floor for it."""

    code: str
    name: str
    score: Decimal | None
    max_points: Compared[Decimal | None]
    floor_passed: Compared[bool | None]
    changed: bool


@dataclass(frozen=True)
class CheckComparison:
    """One threshold check; ``None`` under a set that does not make it."""

    rule: str
    indicator: str | None
    expected: Compared[str | None]
    found: Compared[str | None]
    passed: Compared[bool | None]
    changed: bool


@dataclass(frozen=True)
class ReEvaluation:
    case_id: UUID
    case_version: int
    scores_source: str  # final | self
    pinned_set: SetRef
    other_set: SetRef
    indicators: tuple[IndicatorComparison, ...]
    total: Compared[Decimal]
    max_total: Compared[Decimal]
    checks: tuple[CheckComparison, ...]
    classification: Compared[str | None]
    classification_label: Compared[str | None]
    outcome: Compared[bool]


def re_evaluate(
    ledger: Ledger,
    case_id: UUID,
    *,
    criteria_set_id: UUID | None = None,
    amended_content: dict[str, Any] | None = None,
) -> ReEvaluation:
    """Evaluate the case's current scores under its pinned set and under another; write nothing.

    The scores are the final ones once reviewed, else the self-assessed ones (StepOutOfOrder
    if there are none yet). The other set is a published version (NotFound if unknown) or
    amended content (InvalidCriteriaSet if invalid), of the case's own title model.
    """
    if (criteria_set_id is None) == (amended_content is None):
        raise InvalidInput("cần đúng một trong hai: criteria_set_id hoặc amended_content")
    case = ledger.records.get(AssessmentCase, case_id)
    if case.reviewer is not None:
        source, scores = "final", case.scores
    elif case.self_scores:
        source, scores = "self", case.self_scores | case.computed_scores
    else:
        raise StepOutOfOrder(
            "hồ sơ chưa có điểm tự đánh giá hoặc thẩm định để đánh giá lại",
            status=case.status.value,
        )
    pinned = ledger.criteria.spec_of(case)
    if criteria_set_id is not None:
        other = ledger.criteria.criteria_set(criteria_set_id).spec
    else:
        other = parse_spec(nfc(amended_content))
    if other.model is not case.model:
        raise WrongCriteriaSet(
            "bộ tiêu chí so sánh không thuộc danh hiệu của hồ sơ",
            case_model=case.model.value,
            set_model=other.model.value,
        )
    return _compare(case, source, scores, pinned, other)


def _compare(
    case: AssessmentCase,
    source: str,
    scores: Mapping[str, Decimal],
    pinned: CriteriaSpec,
    other: CriteriaSpec,
) -> ReEvaluation:
    before, after = evaluate(pinned, scores), evaluate(other, scores)
    return ReEvaluation(
        case_id=case.id,
        case_version=case.version,
        scores_source=source,
        pinned_set=_ref(pinned),
        other_set=_ref(other),
        indicators=_indicators(scores, pinned, other, before, after),
        total=Compared.of(before.total, after.total),
        max_total=Compared.of(before.max_total, after.max_total),
        checks=_checks(before, after),
        classification=Compared.of(
            before.band.code if before.band else None, after.band.code if after.band else None
        ),
        classification_label=Compared.of(
            before.band.label if before.band else None, after.band.label if after.band else None
        ),
        outcome=Compared.of(before.passed, after.passed),
    )


def _ref(spec: CriteriaSpec) -> SetRef:
    return SetRef(set_id=spec.set_id, code=spec.code, version=spec.version, title=spec.title)


def _indicators(
    scores: Mapping[str, Decimal],
    pinned: CriteriaSpec,
    other: CriteriaSpec,
    before: Verdict,
    after: Verdict,
) -> tuple[IndicatorComparison, ...]:
    """Every indicator of either set: the pinned set's first, then those new in the other."""
    codes = [i.code for i in pinned.indicators]
    codes += [i.code for i in other.indicators if i.code not in codes]
    floors_before, floors_after = _floor_verdicts(before), _floor_verdicts(after)
    rows = []
    for code in codes:
        mine, theirs = pinned.indicator(code), other.indicator(code)
        named = mine or theirs
        max_points = Compared.of(
            mine.max_points if mine else None, theirs.max_points if theirs else None
        )
        floor_passed = Compared.of(floors_before.get(code), floors_after.get(code))
        rows.append(
            IndicatorComparison(
                code=code,
                name=named.name if named else code,
                score=scores.get(code),
                max_points=max_points,
                floor_passed=floor_passed,
                changed=max_points.changed or floor_passed.changed,
            )
        )
    return tuple(rows)


def _floor_verdicts(verdict: Verdict) -> dict[str | None, bool]:
    return {c.indicator: c.passed for c in verdict.checks if c.rule == "indicator_floor"}


def _checks(before: Verdict, after: Verdict) -> tuple[CheckComparison, ...]:
    """Checks matched by (rule, indicator): the pinned set's order, then the other's new ones."""
    mine = {(c.rule, c.indicator): c for c in before.checks}
    theirs = {(c.rule, c.indicator): c for c in after.checks}
    keys = list(mine) + [k for k in theirs if k not in mine]
    rows = []
    for rule, indicator in keys:
        b, a = mine.get((rule, indicator)), theirs.get((rule, indicator))
        expected = Compared.of(b.expected if b else None, a.expected if a else None)
        found = Compared.of(b.found if b else None, a.found if a else None)
        passed = Compared.of(b.passed if b else None, a.passed if a else None)
        rows.append(
            CheckComparison(
                rule=rule,
                indicator=indicator,
                expected=expected,
                found=found,
                passed=passed,
                changed=expected.changed or found.changed or passed.changed,
            )
        )
    return tuple(rows)
