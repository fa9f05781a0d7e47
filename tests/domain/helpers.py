"""Given / when / then for the pure domain.

``given(*steps)`` opens a case and runs each step as the actor who does it in real life, then
clears the pending events; the test runs ONE command with :func:`when` (and reads the new
events with :func:`recorded`) or :func:`refused` (which also checks that nothing was written).
Time and actors are always explicit: nothing here reads the clock.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from domain.assessment import AssessmentCase, CouncilSeat
from domain.base import CommandContext, acting, current_context, ledger_id
from domain.criteria import CriteriaSet, CriteriaSpec
from domain.decision import RecognitionDecision, Ruling, issue_decision
from domain.errors import DomainError
from domain.glossary import (
    SUBJECT_OF_MODEL,
    DecisionOutcome,
    IndicatorKind,
    Role,
    SubjectKind,
    UnitLevel,
)
from domain.registry import AdministrativeUnit, Collective, Person, person_id_for

SEED_DIR = Path(__file__).resolve().parents[2] / "application" / "seed"
CDHT = "criteria-cdht-can-bo.json"
TT22 = "criteria-dvht-tt22-2020.json"


# --- actors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    id: str
    role: Role

    def context(self, correlation_id: str = "corr-when") -> CommandContext:
        return CommandContext(self.id, self.role.value, correlation_id)


ADMIN = Actor("u-admin", Role.ADMINISTRATOR)
CITIZEN = Actor("u-citizen", Role.CITIZEN)
REVIEWER = Actor("u-reviewer", Role.REVIEWER)
OFFICER = Actor("u-officer", Role.COMMUNE_OFFICER)
CHAIR = Actor("u-chair", Role.COUNCIL_MEMBER)
MEMBER = Actor("u-member", Role.COUNCIL_MEMBER)
OUTSIDER = Actor("u-outsider", Role.COUNCIL_MEMBER)
SIGNER = Actor("u-signer", Role.SIGNER)

SUBJECT = ledger_id("test-subject", 1)
UNIT = ledger_id("test-unit", 1)

# --- the default timeline of a case (cycle 2024, assessed early 2025) ---------------------

CYCLE = 2024
OPENED_ON = date(2025, 2, 1)
EVIDENCE_ISSUED_ON = date(2024, 11, 20)
ATTACHED_ON = date(2025, 2, 2)
SELF_ASSESSED_ON = date(2025, 2, 3)
REVIEWED_ON = date(2025, 2, 10)
NOTICE_POSTED_ON = date(2025, 2, 11)
NOTICE_CLOSES_ON = date(2025, 2, 21)
COUNCIL_FORMED_ON = date(2025, 2, 24)
APPRAISED_ON = date(2025, 2, 26)
DECIDED_ON = date(2025, 3, 2)


# --- criteria sets -------------------------------------------------------------------------


def seed_content(name: str = CDHT) -> dict[str, Any]:
    """A fresh copy of a seed criteria set, safe to change."""
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


def publish(content: Mapping[str, Any], version: int = 1, supersedes: UUID | None = None):
    with acting(ADMIN.context("corr-publish")):
        return CriteriaSet.publish(copy.deepcopy(dict(content)), version, supersedes)


@cache
def seed_spec(name: str = CDHT) -> CriteriaSpec:
    return publish(seed_content(name)).spec


def variant_spec(name: str = CDHT, *, suffix: str = "variant", **rules: Any) -> CriteriaSpec:
    """A seed set published under its own code, with some rules changed."""
    content = seed_content(name)
    content["code"] = f"{content['code']}/{suffix}"
    content["rules"].update(rules)
    return publish(content).spec


def notice_spec() -> CriteriaSpec:
    """The CDHT set with ten days of public notice required."""
    return variant_spec(suffix="niem-yet", public_notice_required=True, notice_days=10)


def codes(spec: CriteriaSpec) -> list[str]:
    return [i.code for i in spec.indicators]


def passing(spec: CriteriaSpec) -> dict[str, Decimal]:
    """80% of every points indicator, every target met: passes the CDHT and TT22 rules."""
    return {
        i.code: Decimal(1) if i.kind is IndicatorKind.TARGET else i.max_points * Decimal("0.8")
        for i in spec.indicators
    }


def scores(
    spec: CriteriaSpec, default: Decimal | int | str, overrides: Mapping[str, Any] | None = None
) -> dict[str, Decimal]:
    """Every indicator at ``default``, except the indicator codes in ``overrides``."""
    result = {code: Decimal(default) for code in codes(spec)}
    result.update({code: Decimal(value) for code, value in (overrides or {}).items()})
    return result


# --- stories: a case built by running the real commands ------------------------------------


@dataclass
class Story:
    spec: CriteriaSpec
    cycle_year: int = CYCLE
    subject_id: UUID = SUBJECT
    case: AssessmentCase = field(init=False)
    evidence: list[UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One command of the process, run by ``actor``; ``on`` is its effective date, if any."""

    name: str
    actor: Actor
    run: Callable[[Story], Sequence[Aggregate] | None]
    on: date | None = None


def evidence_id(number: int) -> UUID:
    return ledger_id("test-evidence", number)


def opened(on: date = OPENED_ON) -> Step:
    def run(story: Story) -> None:
        story.case = AssessmentCase.open(
            subject_id=story.subject_id,
            subject_kind=SUBJECT_OF_MODEL[story.spec.model],
            unit_id=UNIT,
            model=story.spec.model,
            cycle_year=story.cycle_year,
            spec=story.spec,
            opened_on=on,
        )

    return Step("opened", CITIZEN, run, on)


def attach(story: Story, number: int, indicators: Iterable[str], issued_on: date, on: date):
    story.case.attach_evidence(
        evidence_id=evidence_id(number),
        digest=f"{number:064x}",
        size=1024,
        media_type="application/pdf",
        kind="giay_xac_nhan",
        issuer="Trưởng thôn",
        issued_on=issued_on,
        indicators=list(indicators),
        spec=story.spec,
        on=on,
    )
    story.evidence.append(evidence_id(number))


def evidence_attached(
    indicators: Iterable[str] | None = None,
    number: int = 1,
    issued_on: date = EVIDENCE_ISSUED_ON,
    on: date = ATTACHED_ON,
) -> Step:
    """One evidence item supporting ``indicators`` (default: every indicator of the set)."""
    wanted = None if indicators is None else list(indicators)

    def run(story: Story) -> None:
        attach(story, number, wanted or codes(story.spec), issued_on, on)

    return Step("evidence_attached", CITIZEN, run)


def self_assessed(
    given_scores: Mapping[str, Decimal] | None = None,
    on: date = SELF_ASSESSED_ON,
    actor: Actor = CITIZEN,
) -> Step:
    def run(story: Story) -> None:
        story.case.self_assess(given_scores or passing(story.spec), story.spec, on)

    return Step("self_assessed", actor, run, on)


def reviewed(
    given_scores: Mapping[str, Decimal] | None = None,
    evidence_seen: Iterable[UUID] | None = None,
    on: date = REVIEWED_ON,
    actor: Actor = REVIEWER,
) -> Step:
    """The reviewer's scores (default: the self-assessed ones), having seen every item."""

    def run(story: Story) -> None:
        seen = list(story.case.active_evidence) if evidence_seen is None else evidence_seen
        story.case.review(
            given_scores or story.case.self_scores, seen, story.spec, on, remarks="Đủ minh chứng"
        )

    return Step("reviewed", actor, run, on)


def evidence_superseded(number: int, replaced_by: int | None = None) -> Step:
    def run(story: Story) -> None:
        replacement = None if replaced_by is None else evidence_id(replaced_by)
        story.case.supersede_evidence(evidence_id(number), replacement, "Tệp bị nhầm")

    return Step("evidence_superseded", CITIZEN, run)


def score_revised(
    indicator: str, score: Decimal | int, actor: Actor = REVIEWER, on: date = REVIEWED_ON
) -> Step:
    def run(story: Story) -> None:
        story.case.revise_score(indicator, Decimal(score), "Bổ sung minh chứng", story.spec, on)

    return Step("score_revised", actor, run, on)


def withdrawn(on: date = SELF_ASSESSED_ON) -> Step:
    def run(story: Story) -> None:
        story.case.withdraw("Đăng ký nhầm", on)

    return Step("withdrawn", CITIZEN, run, on)


def conflict_declared(member: Actor, reason: str = "Cùng hộ gia đình") -> Step:
    def run(story: Story) -> None:
        story.case.declare_conflict(member.id, reason)

    return Step("conflict_declared", member, run)


def notice_posted(posted_on: date = NOTICE_POSTED_ON, closes_on: date = NOTICE_CLOSES_ON) -> Step:
    def run(story: Story) -> None:
        story.case.post_notice(posted_on, closes_on, "Nhà văn hóa thôn", story.spec)

    return Step("notice_posted", OFFICER, run, posted_on)


def notice_closed(closed_on: date = NOTICE_CLOSES_ON) -> Step:
    def run(story: Story) -> None:
        story.case.close_notice(closed_on, comments_received=0, summary=None)

    return Step("notice_closed", OFFICER, run, closed_on)


def seats(*members: Actor, conflicts: Mapping[str, str] | None = None) -> list[CouncilSeat]:
    """A chair then members; ``conflicts`` maps a member id to the conflict they declared."""
    conflicts = conflicts or {}
    return [
        CouncilSeat(m.id, "chair" if n == 0 else "member", conflicts.get(m.id))
        for n, m in enumerate(members)
    ]


def council_formed(
    members: list[CouncilSeat] | None = None,
    conflicted: Iterable[str] = (),
    on: date = COUNCIL_FORMED_ON,
) -> Step:
    def run(story: Story) -> None:
        story.case.form_council(
            "Hội đồng xét duyệt",
            members or seats(CHAIR, MEMBER),
            on,
            story.spec,
            set(conflicted),
        )

    return Step("council_formed", OFFICER, run, on)


def appraised(recommended: bool = True, on: date = APPRAISED_ON, actor: Actor = CHAIR) -> Step:
    def run(story: Story) -> None:
        story.case.appraise(
            recommended=recommended,
            votes_for=2 if recommended else 0,
            votes_against=0 if recommended else 2,
            remarks=None,
            spec=story.spec,
            on=on,
            actor_conflicted=False,
        )

    return Step("appraised", actor, run, on)


def decided(outcome: DecisionOutcome = DecisionOutcome.GRANTED, on: date = DECIDED_ON) -> Step:
    def run(story: Story) -> Sequence[Aggregate]:
        return [decide(Ruling(story.case, story.spec, outcome), on=on)]

    return Step("decided", SIGNER, run, on)


STAGES = (
    "opened",
    "self_assessed",
    "reviewed",
    "notice_posted",
    "notice_closed",
    "council_formed",
    "appraised",
)


def path_to(
    stage: str,
    given_scores: Mapping[str, Decimal] | None = None,
    notice: bool = False,
    recommended: bool = True,
) -> list[Step]:
    """The steps that bring a case to ``stage``, with evidence for every indicator."""
    steps = {
        "opened": [opened()],
        "self_assessed": [evidence_attached(), self_assessed(given_scores)],
        "reviewed": [reviewed()],
        "notice_posted": [notice_posted()],
        "notice_closed": [notice_closed()],
        "council_formed": [council_formed()],
        "appraised": [appraised(recommended)],
    }
    wanted = STAGES[: STAGES.index(stage) + 1]
    if not notice and stage not in ("notice_posted", "notice_closed"):
        wanted = tuple(s for s in wanted if not s.startswith("notice"))
    return [step for s in wanted for step in steps[s]]


def run_step(story: Story, step: Step, correlation_id: str) -> list[Aggregate]:
    with acting(step.actor.context(correlation_id)):
        extra = step.run(story)
    return [story.case, *(extra or [])]


def given(
    *steps: Step,
    spec: CriteriaSpec | None = None,
    cycle_year: int = CYCLE,
    subject_id: UUID = SUBJECT,
) -> Story:
    """Run ``steps`` as their actors, then forget the events they produced."""
    story = Story(spec=spec or seed_spec(), cycle_year=cycle_year, subject_id=subject_id)
    for step in steps:
        for aggregate in run_step(story, step, f"given-{step.name}"):
            aggregate.collect_events()
    return story


def case_at(
    stage: str, spec: CriteriaSpec | None = None, subject_id: UUID = SUBJECT, **options: Any
) -> Story:
    """A case brought to ``stage`` by :func:`path_to` (``options`` go to it)."""
    return given(*path_to(stage, **options), spec=spec, subject_id=subject_id)


# --- when / then ----------------------------------------------------------------------------


def when(actor: Actor, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ONE command as ``actor``."""
    with acting(actor.context()):
        return command(*args, **kwargs)


def recorded(*aggregates: Aggregate) -> list[Any]:
    """The events the command left pending on ``aggregates`` (and clears them)."""
    return [event for aggregate in aggregates for event in aggregate.collect_events()]


def names(events: Iterable[Any]) -> list[str]:
    return [type(event).__name__ for event in events]


def assert_readable(error: DomainError) -> None:
    """A refusal people can read: a message in sentence case, NFC, and evidence with no
    missing value (a detail of None or "None" tells the reader nothing)."""
    message = error.message
    assert isinstance(message, str) and message.strip(), f"{type(error).__name__}: no message"
    assert unicodedata.normalize("NFC", message) == message, message
    assert message != message.upper(), f"shouted: {message}"
    for name, value in error.details.items():
        assert value is not None and str(value) not in ("", "None"), f"{name}={value!r}: {message}"


def refused(
    error: type[DomainError],
    actor: Actor,
    command: Callable[..., Any],
    *args: Any,
    untouched: Iterable[Aggregate] = (),
    says: str | None = None,
    **kwargs: Any,
) -> DomainError:
    """The command raises exactly ``error`` and leaves no event pending on ``untouched``;
    with ``says``, the refusal reads exactly that (the sentence people see is behaviour too)."""
    watched = list(untouched)
    with pytest.raises(DomainError) as raised, acting(actor.context()):
        command(*args, **kwargs)
    assert type(raised.value) is error, f"{type(raised.value).__name__}: {raised.value}"
    assert_readable(raised.value)
    if says is not None:
        assert raised.value.message == says, raised.value.message
    for aggregate in watched:
        assert aggregate.collect_events() == [], f"{type(aggregate).__name__} wrote events"
    return raised.value


# --- administrative units and decisions -----------------------------------------------------


def establish(
    code: str,
    level: UnitLevel,
    parent: AdministrativeUnit | None,
    valid_from: date = date(2000, 1, 1),
) -> AdministrativeUnit:
    with acting(ADMIN.context("corr-units")):
        unit = AdministrativeUnit.establish(
            code=code,
            name=f"Đơn vị {code}",
            level=level,
            unit_type=level.value,
            parent=parent,
            valid_from=valid_from,
        )
    unit.collect_events()
    return unit


def province() -> AdministrativeUnit:
    return establish("T01", UnitLevel.PROVINCE, None)


def commune() -> AdministrativeUnit:
    return establish("X01", UnitLevel.COMMUNE, province())


def district() -> AdministrativeUnit:
    return establish("H01", UnitLevel.DISTRICT, province(), valid_from=date(2010, 1, 1))


def village() -> AdministrativeUnit:
    return establish("TH01", UnitLevel.VILLAGE, commune())


def grant(story: Story) -> Ruling:
    return Ruling(story.case, story.spec, DecisionOutcome.GRANTED)


def refuse(story: Story, reason: str | None = None) -> Ruling:
    return Ruling(story.case, story.spec, DecisionOutcome.REFUSED, reason)


def decide(
    *rulings: Ruling,
    on: date = DECIDED_ON,
    unit: AdministrativeUnit | None = None,
    signer_conflicts: Iterable[UUID] = (),
    number: str = "12/QĐ-UBND",
    outside_territory: Iterable[UUID] = (),
) -> RecognitionDecision:
    """Issue a decision signed by the acting user (as the application does)."""
    return issue_decision(
        number=number,
        decided_on=on,
        signer_id=current_context().actor_id,
        signer_title="Chủ tịch UBND xã",
        authority_name="UBND xã",
        authority_unit=unit or commune(),
        legal_basis="244/QĐ-KHVN",
        rulings=list(rulings),
        signer_conflicts=set(signer_conflicts),
        outside_territory=set(outside_territory),
    )


# --- people and groups in the registry -------------------------------------------------------

REGISTERED_ON = date(2025, 2, 1)


def registered_person(number: int = 1) -> Person:
    """A person (target group nong_dan) registered in :func:`commune`; no events left."""
    with acting(OFFICER.context("given-person")):
        person = Person.register(
            id=person_id_for(f"{number:064x}"),
            cccd_hash=None,
            sealed="sealed:ho-ten",
            target_group="nong_dan",
            unit=commune(),
            on=REGISTERED_ON,
        )
    person.collect_events()
    return person


def registered_group(kind: SubjectKind, number: int = 1, name: str | None = None) -> Collective:
    """A group of ``kind`` registered in :func:`commune` (a household's name sealed, other
    groups named after their kind and number); no events left."""
    with acting(OFFICER.context("given-group")):
        group = Collective.register(
            id=ledger_id("test-group", kind.value, number),
            kind=kind,
            name=name if kind is SubjectKind.HOUSEHOLD else f"{kind.value} {number}",
            sealed="sealed:ten-ho" if kind is SubjectKind.HOUSEHOLD else None,
            unit=commune(),
            organisation_type=None,
            on=REGISTERED_ON,
        )
    group.collect_events()
    return group


def granted_story() -> Story:
    """A case appraised then granted on DECIDED_ON, valid until 2026-03-01; no events left."""
    story = case_at("appraised")
    with acting(SIGNER.context("given-granted")):
        decide(grant(story))
    story.case.collect_events()
    return story
