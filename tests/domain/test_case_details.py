"""What the assessment case says when it refuses, and exactly what it records when it agrees.

Given events / when command / then events or error. The process tests (test_process_order,
test_scoring, test_duties_and_conflicts) say which steps are refused; here each refusal is
pinned to its sentence and its evidence (the details a client shows), each boundary is tried
on both sides, and each event is read back field by field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.assessment import AssessmentCase, case_id_for
from domain.base import acting, ledger_id
from domain.errors import (
    CaseAlreadyOpen,
    DateOutOfOrder,
    DateOutOfRange,
    DomainError,
    EvidenceNotUsable,
    InvalidInput,
    NotComputedIndicator,
    NotFound,
    RuleViolation,
    SeparationOfDuties,
    StepOutOfOrder,
    SubjectMismatch,
    ThresholdNotMet,
    WrongCriteriaSet,
)
from domain.glossary import CaseStatus, Role, SubjectKind, TitleModel
from domain.scoring import CouncilSeat
from tests.domain.helpers import (
    ATTACHED_ON,
    CHAIR,
    CITIZEN,
    COUNCIL_FORMED_ON,
    CYCLE,
    EVIDENCE_ISSUED_ON,
    MEMBER,
    NOTICE_CLOSES_ON,
    NOTICE_POSTED_ON,
    OFFICER,
    OPENED_ON,
    OUTSIDER,
    REVIEWED_ON,
    REVIEWER,
    SELF_ASSESSED_ON,
    SUBJECT,
    TT22,
    UNIT,
    Actor,
    Story,
    attach,
    case_at,
    codes,
    evidence_attached,
    evidence_id,
    given,
    granted_story,
    notice_spec,
    opened,
    passing,
    publish,
    recorded,
    refused,
    seats,
    seed_content,
    seed_spec,
    when,
    withdrawn,
)

DAY = timedelta(days=1)
TT24 = "criteria-minh-hoa-dvht-tt24-2023.json"
SHARE = "3.1"  # the TT 24 set's member share, computed by the ledger
COMPUTED_ON = date(2025, 2, 4)
REOPENED_ON = date(2025, 4, 1)
AFTER_THE_LAST_PROCESS_DAY = date(2101, 1, 1)
SYSTEM = Actor("system:expiry", Role.ADMINISTRATOR)
HANDLER = Actor("u-handler", Role.COMPLAINT_HANDLER)
BEFORE_DECISION = ["opened", "self_assessed", "reviewed", "notice_posted", "notice_closed"]


def open_case(cycle_year: int = CYCLE, spec=None, previous=None, **overrides: Any):
    spec = spec or seed_spec()
    arguments = {
        "subject_id": SUBJECT,
        "subject_kind": SubjectKind.PERSON,
        "unit_id": UNIT,
        "model": spec.model,
        "cycle_year": cycle_year,
        "spec": spec,
        "opened_on": OPENED_ON,
        "previous": previous,
    }
    return AssessmentCase.open(**(arguments | overrides))


def share_story(spec=None) -> Story:
    """A unit's case under the TT 24 set, whose indicator 3.1 the ledger computes."""
    return given(opened(), spec=spec or seed_spec(TT24))


def record_share(story: Story, on: date = COMPUTED_ON, **counts: int) -> None:
    story.case.record_member_share(
        indicator=counts.pop("indicator", SHARE),  # type: ignore[arg-type]
        numerator=counts.get("numerator", 3),
        denominator=counts.get("denominator", 5),
        log_position=counts.get("log_position", 812),
        spec=story.spec,
        on=on,
        under_age=counts.get("under_age", 0),
        unknown_age=counts.get("unknown_age", 0),
    )


# --- refusals out of order name the status and the statuses allowed -------------------------


def attach_one(story: Story) -> None:
    attach(story, 9, codes(story.spec), EVIDENCE_ISSUED_ON, COUNCIL_FORMED_ON)


def revise(story: Story) -> None:
    story.case.revise_score("1", Decimal(5), "Bổ sung minh chứng", story.spec, REVIEWED_ON)


OUT_OF_ORDER = {
    "attach": (
        lambda: case_at("council_formed"),
        CITIZEN,
        attach_one,
        "đính kèm minh chứng",
        BEFORE_DECISION,
    ),
    "self_assess": (
        lambda: case_at("reviewed"),
        CITIZEN,
        lambda s: s.case.self_assess(passing(s.spec), s.spec, REVIEWED_ON),
        "tự đánh giá",
        ["opened", "self_assessed"],
    ),
    "revise": (
        lambda: case_at("self_assessed"),
        REVIEWER,
        revise,
        "điều chỉnh điểm",
        ["reviewed", "notice_posted", "notice_closed", "council_formed", "reopened"],
    ),
    "record_share": (
        lambda: given(opened(), withdrawn(), spec=seed_spec(TT24)),
        OFFICER,
        record_share,
        "ghi tỷ lệ thành viên",
        [*BEFORE_DECISION, "council_formed", "reopened"],
    ),
    "post_notice": (
        lambda: case_at("self_assessed"),
        OFFICER,
        lambda s: s.case.post_notice(NOTICE_POSTED_ON, NOTICE_CLOSES_ON, "Nhà văn hóa", s.spec),
        "niêm yết",
        ["reviewed"],
    ),
    "close_notice": (
        lambda: case_at("reviewed"),
        OFFICER,
        lambda s: s.case.close_notice(NOTICE_CLOSES_ON, 0, None),
        "kết thúc niêm yết",
        ["notice_posted"],
    ),
    "form_council": (
        lambda: case_at("self_assessed"),
        OFFICER,
        lambda s: s.case.form_council("HĐ", seats(CHAIR), COUNCIL_FORMED_ON, s.spec, set()),
        "thành lập hội đồng",
        ["reviewed", "notice_closed"],
    ),
    "declare_conflict": (
        lambda: case_at("reviewed"),
        CHAIR,
        lambda s: s.case.declare_conflict(CHAIR.id, "Cùng hộ gia đình"),
        "khai báo xung đột lợi ích",
        ["council_formed"],
    ),
    "reopen": (
        lambda: case_at("appraised"),
        HANDLER,
        lambda s: s.case.reopen_on_appeal(ledger_id("test-complaint", 1), date(2025, 4, 1)),
        "xem xét lại theo khiếu nại",
        ["granted", "refused", "revoked"],
    ),
    "expire": (
        lambda: case_at("appraised"),
        SYSTEM,
        lambda s: s.case.expire_title(date(2027, 1, 1)),
        "ghi nhận hết hiệu lực",
        ["granted"],
    ),
    "withdraw": (
        lambda: given(opened(), withdrawn()),
        CITIZEN,
        lambda s: s.case.withdraw("Đăng ký lại", SELF_ASSESSED_ON),
        "thay đổi hồ sơ",
        [*BEFORE_DECISION, "council_formed", "appraised"],
    ),
}


@pytest.mark.parametrize("command", OUT_OF_ORDER)
def test_a_step_out_of_order_names_the_case_status_and_the_statuses_it_needs(command):
    build, actor, run, step, allowed = OUT_OF_ORDER[command]
    story = build()
    status = story.case.status.value
    error = refused(
        StepOutOfOrder,
        actor,
        run,
        story,
        untouched=[story.case],
        says=f"không thể {step} khi hồ sơ ở trạng thái '{status}'",
    )
    assert error.details == {"status": status, "allowed": allowed}


@pytest.mark.parametrize("stage", ["notice_posted", "notice_closed"])
def test_a_score_is_revised_while_the_notice_is_posted_or_once_it_closed(stage):
    story = case_at(stage, notice=True)
    when(
        REVIEWER, story.case.revise_score, "1", Decimal(5), "Sai sót", story.spec, NOTICE_CLOSES_ON
    )
    [event] = recorded(story.case)
    assert (event.indicator, event.score, event.effective_date) == ("1", 5, NOTICE_CLOSES_ON)


# --- opening ------------------------------------------------------------------------------


@pytest.mark.parametrize("cycle_year", [CYCLE, CYCLE + 1, CYCLE + 2])
def test_a_case_opens_for_the_year_before_the_opening_the_year_itself_or_the_next(cycle_year):
    case = when(CITIZEN, open_case, cycle_year)  # opened in 2025
    [event] = recorded(case)
    assert (event.cycle_year, case.cycle_year) == (cycle_year, cycle_year)
    assert case.data_period == (date(cycle_year, 1, 1), date(cycle_year, 12, 31))


def test_opening_records_the_unit_target_group_level_and_version_of_the_set():
    content = seed_content()
    content["effective_from"] = "2025-01-01"
    content["level"] = 2
    spec = publish(content, version=2, supersedes=seed_spec().set_id).spec
    case = when(CITIZEN, open_case, spec=spec)
    [event] = recorded(case)
    recorded_fields = (event.unit_id, event.target_group, event.level, event.criteria_set_version)
    assert recorded_fields == (UNIT, "can_bo", 2, 2)
    state = (case.unit_id, case.target_group, case.level, case.criteria_set_version)
    assert state == (UNIT, "can_bo", 2, 2)
    assert (case.criteria_set_id, case.criteria_set_code) == (spec.set_id, spec.code)


def test_a_set_whose_version_is_not_known_is_recorded_as_version_1():
    case = when(CITIZEN, open_case, spec=replace(seed_spec(), version=None))
    [event] = recorded(case)
    assert event.criteria_set_version == case.criteria_set_version == 1


def test_a_newly_opened_case_has_no_scores_people_decision_or_validity_yet():
    case = when(CITIZEN, open_case)
    assert case.status is CaseStatus.OPENED
    assert (case.self_scores, case.review_scores, case.final_scores) == ({}, {}, {})
    assert (case.computed_scores, case.evidence, case.evidence_seen, case.council) == (
        {},
        {},
        [],
        [],
    )
    nothing_yet = (
        case.granted_level,
        case.self_assessor,
        case.reviewer,
        case.notice_closes_on,
        case.recommended,
        case.appraiser,
        case.decision_id,
        case.valid_from,
        case.valid_until,
        case.appeal_complaint_id,
        case.revoked_from,
        case.expired_on,
    )
    assert nothing_yet == (None,) * 12
    assert (case.self_assessors, case.revisers) == (set(), set())


def test_a_case_id_is_the_same_in_every_release():
    """Ids are in the stored log: a case opened last year must be found by its key today."""
    case_id = case_id_for(SUBJECT, TitleModel.LEARNING_CITIZEN, CYCLE, 1)
    assert case_id == UUID("107a44c4-613e-53dd-a8e1-bb9ff24ac719")


@pytest.mark.parametrize(
    "other",
    [
        (ledger_id("test-subject", 2), TitleModel.LEARNING_CITIZEN, CYCLE, 1),
        (SUBJECT, TitleModel.LEARNING_UNIT, CYCLE, 1),
        (SUBJECT, TitleModel.LEARNING_CITIZEN, CYCLE + 1, 1),
        (SUBJECT, TitleModel.LEARNING_CITIZEN, CYCLE, 2),
    ],
)
def test_each_part_of_the_key_gives_its_own_case_id(other):
    assert case_id_for(*other) != case_id_for(SUBJECT, TitleModel.LEARNING_CITIZEN, CYCLE, 1)


# --- evidence -----------------------------------------------------------------------------


ITEM: dict[str, Any] = {  # an item with every field set apart from the others
    "evidence_id": evidence_id(1),
    "digest": "cd" * 32,
    "size": 0,  # an empty file is still a file
    "media_type": "image/png",
    "kind": "bang_khen",
    "issuer": "UBND xã",
    "issued_on": date(CYCLE, 12, 31),  # the last day of the data period
    "indicators": ["2", "1", "2"],
    "on": ATTACHED_ON,
    "sealed": "ab" * 32,
}


def test_attached_evidence_is_recorded_with_everything_it_was_given():
    story = given(opened())
    when(CITIZEN, story.case.attach_evidence, **ITEM, spec=story.spec)
    [event] = recorded(story.case)
    fields = ("evidence_id", "digest", "sealed", "size", "media_type", "kind", "issuer")
    assert {name: getattr(event, name) for name in fields} == {name: ITEM[name] for name in fields}
    assert (event.issued_on, event.indicators) == (date(CYCLE, 12, 31), ["2", "1"])
    item = story.case.evidence[evidence_id(1)]
    assert (item.digest, item.sealed, item.size, item.indicators) == (
        "cd" * 32,
        "ab" * 32,
        0,
        ("2", "1"),
    )


def test_evidence_issued_on_the_day_it_is_attached_is_accepted():
    story = given(opened(), cycle_year=2025)  # the data period runs to 2025-12-31
    when(CITIZEN, attach, story, 1, ["1"], ATTACHED_ON, ATTACHED_ON)
    [event] = recorded(story.case)
    assert event.issued_on == ATTACHED_ON


def test_superseding_records_the_replacement_and_the_reason():
    story = given(opened(), evidence_attached(number=1), evidence_attached(number=2))
    when(CITIZEN, story.case.supersede_evidence, evidence_id(1), evidence_id(2), "Tệp bị nhầm")
    [event] = recorded(story.case)
    assert (event.evidence_id, event.replaced_by, event.reason) == (
        evidence_id(1),
        evidence_id(2),
        "Tệp bị nhầm",
    )
    assert story.case.evidence[evidence_id(1)].superseded_by == evidence_id(2)


# --- review and revision --------------------------------------------------------------------


def test_a_review_records_the_reviewer_s_remarks():
    story = case_at("self_assessed")
    when(
        REVIEWER,
        story.case.review,
        passing(story.spec),
        story.evidence,
        story.spec,
        REVIEWED_ON,
        "Đủ minh chứng",
    )
    [event] = recorded(story.case)
    assert (event.remarks, event.evidence_seen) == ("Đủ minh chứng", story.evidence)


def test_a_revision_takes_effect_on_its_date():
    story = case_at("reviewed")
    when(
        REVIEWER, story.case.revise_score, "1", Decimal(5), "Sai sót", story.spec, REVIEWED_ON + DAY
    )
    [event] = recorded(story.case)
    assert (event.previous, event.score, event.revised_on, event.effective_date) == (
        Decimal(8),
        Decimal(5),
        REVIEWED_ON + DAY,
        REVIEWED_ON + DAY,
    )


# --- member shares --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "log_position", "share"),
    [(0, 1, 0, "0.00"), (1, 1, 0, "100.00"), (2, 3, 1, "66.66"), (5, 5, 812, "100.00")],
)
def test_a_member_share_is_recorded_at_the_bounds_of_its_counts(
    numerator, denominator, log_position, share
):
    story = share_story()
    when(
        OFFICER,
        record_share,
        story,
        numerator=numerator,
        denominator=denominator,
        log_position=log_position,
    )
    [event] = recorded(story.case)
    assert (event.numerator, event.denominator, event.log_position) == (
        numerator,
        denominator,
        log_position,
    )
    assert (event.share, event.computed_on, event.as_of) == (
        Decimal(share),
        COMPUTED_ON,
        date(CYCLE, 12, 31),
    )


def aged_spec(min_age: int | None = 15):
    content = seed_content(TT24)
    content["code"] = f"TEST/AGED-{min_age}"
    for criterion in content["criteria"]:
        for indicator in criterion["indicators"]:
            if indicator["code"] == SHARE:
                indicator["computed"]["min_age"] = min_age
    return publish(content).spec


@pytest.mark.parametrize(
    ("under_age", "unknown_age"), [(0, 0), (0, 5), (4, 0)]
)  # none younger, every counted member of unknown age, every younger one left out
def test_age_counts_from_none_to_every_counted_member_are_recorded(under_age, unknown_age):
    story = share_story(aged_spec())
    when(OFFICER, record_share, story, under_age=under_age, unknown_age=unknown_age)
    [event] = recorded(story.case)
    assert (event.min_age, event.under_age, event.unknown_age) == (15, under_age, unknown_age)


# --- public notice and council ----------------------------------------------------------------


def test_a_notice_is_recorded_with_its_place():
    story = case_at("reviewed")
    when(
        OFFICER,
        story.case.post_notice,
        NOTICE_POSTED_ON,
        NOTICE_CLOSES_ON,
        "Nhà văn hóa",
        story.spec,
    )
    [event] = recorded(story.case)
    assert (event.place, event.effective_date) == ("Nhà văn hóa", NOTICE_POSTED_ON)


def test_a_notice_may_close_the_day_it_is_posted_when_the_set_asks_no_length():
    story = case_at("reviewed")
    when(OFFICER, story.case.post_notice, NOTICE_POSTED_ON, NOTICE_POSTED_ON, "Thôn", story.spec)
    [event] = recorded(story.case)
    assert (event.posted_on, event.closes_on) == (NOTICE_POSTED_ON, NOTICE_POSTED_ON)


def test_closing_a_notice_records_the_comments_and_their_summary():
    story = case_at("notice_posted")
    when(OFFICER, story.case.close_notice, NOTICE_CLOSES_ON, 3, "Ba ý kiến đồng thuận")
    [event] = recorded(story.case)
    assert (event.comments_received, event.summary) == (3, "Ba ý kiến đồng thuận")


def test_a_council_is_recorded_with_its_name():
    story = case_at("reviewed")
    when(
        OFFICER,
        story.case.form_council,
        "Hội đồng xã",
        seats(CHAIR),
        COUNCIL_FORMED_ON,
        story.spec,
        set(),
    )
    [event] = recorded(story.case)
    assert (event.name, event.members) == (
        "Hội đồng xã",
        [{"user_id": CHAIR.id, "role": "chair", "conflict": None}],
    )


# --- appraisal ------------------------------------------------------------------------------


def appraise(story: Story, recommended: bool, votes_for: int, votes_against: int) -> None:
    story.case.appraise(
        recommended=recommended,
        votes_for=votes_for,
        votes_against=votes_against,
        remarks="Đạt",
        spec=story.spec,
        on=COUNCIL_FORMED_ON,
        actor_conflicted=False,
    )


def test_an_appraisal_records_the_votes_and_the_remarks():
    story = case_at("council_formed")
    when(MEMBER, appraise, story, True, 2, 0)
    [event] = recorded(story.case)
    assert (event.votes_for, event.votes_against, event.remarks) == (2, 0, "Đạt")


def test_recommending_a_failing_case_names_its_total():
    failing = passing(seed_spec()) | {"1": Decimal(0)}
    story = case_at("council_formed", given_scores=failing)
    error = refused(ThresholdNotMet, CHAIR, appraise, story, True, 2, 0)
    assert error.details["total"] == "72.0"


# --- after the decision ---------------------------------------------------------------------


def test_reopening_takes_effect_on_its_date():
    story = granted_story()
    when(HANDLER, story.case.reopen_on_appeal, ledger_id("test-complaint", 1), REOPENED_ON)
    [event] = recorded(story.case)
    assert (event.reopened_on, event.effective_date) == (REOPENED_ON, REOPENED_ON)


def test_a_withdrawal_records_its_date():
    story = case_at("self_assessed")
    when(CITIZEN, story.case.withdraw, "Đăng ký nhầm", SELF_ASSESSED_ON + DAY)
    [event] = recorded(story.case)
    assert (event.withdrawn_on, event.effective_date) == (
        SELF_ASSESSED_ON + DAY,
        SELF_ASSESSED_ON + DAY,
    )


# --- the guards' evidence -----------------------------------------------------------------


def test_evidence_attached_on_the_opening_day_is_accepted():
    story = given(opened())
    when(CITIZEN, attach, story, 1, ["1"], EVIDENCE_ISSUED_ON, OPENED_ON)
    assert len(recorded(story.case)) == 1


# --- every refusal: its sentence and its evidence -------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Given the story ``build`` makes, ``run`` by ``actor`` raises ``error`` reading ``says``
    (when given) with exactly ``details`` (a function of the story when they name its ids)."""

    build: Callable[[], Story]
    actor: Actor
    run: Callable[[Story], Any]
    error: type[DomainError]
    says: str | None
    details: Mapping[str, Any] | Callable[[Story], Mapping[str, Any]]


def out_of_range(field: str, day: date = AFTER_THE_LAST_PROCESS_DAY) -> dict[str, str]:
    return {
        "field": field,
        "value": day.isoformat(),
        "earliest": "2000-01-01",
        "latest": "2100-12-31",
    }


def attach_on(number: int, indicators: list[str], issued_on: date, on: date):
    return lambda s: attach(s, number, indicators, issued_on, on)


def revise_as(score: int, on: date, complaint: UUID | None = None):
    return lambda s: s.case.revise_score("1", Decimal(score), "Sai sót", s.spec, on, complaint)


def review_citing(*extra: UUID, on: date = REVIEWED_ON):
    return lambda s: s.case.review(passing(s.spec), [*s.evidence, *extra], s.spec, on)


def post(posted_on: date, closes_on: date):
    return lambda s: s.case.post_notice(posted_on, closes_on, "Thôn", s.spec)


def vote(recommended: bool, votes_for: int, votes_against: int):
    return lambda s: appraise(s, recommended, votes_for, votes_against)


def council_of(members: list[CouncilSeat]):
    return lambda s: s.case.form_council("HĐ", members, COUNCIL_FORMED_ON, s.spec, set())


def reopened_story() -> Story:
    story = granted_story()
    with acting(HANDLER.context("given-reopened")):
        story.case.reopen_on_appeal(ledger_id("test-complaint", 1), REOPENED_ON)
    story.case.collect_events()
    return story


def expired_story() -> Story:
    story = granted_story()
    with acting(SYSTEM.context("given-expired")):
        story.case.expire_title(date(2026, 3, 5))
    story.case.collect_events()
    return story


def person_share_story() -> Story:
    content = seed_content()
    content["code"] = "TEST/CDHT-SHARE"
    content["criteria"][0]["indicators"].append(
        {
            "code": "9.9",
            "name": "Tỷ lệ thành viên đạt danh hiệu",
            "kind": "share",
            "computed": {"measure": "member_share", "title": "cong_dan_hoc_tap"},
        }
    )
    return given(opened(), spec=publish(content).spec)


def at(stage: str, **options: Any) -> Callable[[], Story]:
    return lambda: case_at(stage, **options)


def just_opened(**options: Any) -> Callable[[], Story]:
    return lambda: given(opened(), **options)


def with_two_items() -> Story:
    return given(opened(), evidence_attached(number=1), evidence_attached(number=2))


COUNTS = "số thành viên, số đạt danh hiệu hoặc vị trí sổ cái không hợp lệ"
AGES = "số thành viên chưa đủ tuổi hoặc không rõ tuổi không hợp lệ"
VOTES = "số phiếu vượt quá số thành viên được biểu quyết"
NOT_LAPSED = "danh hiệu chưa hết hiệu lực hoặc đã ghi nhận hết hiệu lực"
FULL_COUNTS = {"numerator": 3, "denominator": 5, "log_position": 812}

REFUSALS: dict[str, Refusal] = {
    **{
        f"cycle year {year}": Refusal(
            lambda: Story(seed_spec()),
            CITIZEN,
            lambda s, year=year: open_case(year),
            InvalidInput,
            "năm đánh giá không hợp lệ",
            {"cycle_year": year},
        )
        for year in (CYCLE - 1, CYCLE + 3)  # opened in 2025: 2024 to 2026 only
    },
    "subject of the wrong kind": Refusal(
        lambda: Story(seed_spec()),
        CITIZEN,
        lambda s: open_case(subject_kind=SubjectKind.HOUSEHOLD),
        SubjectMismatch,
        "danh hiệu cong_dan_hoc_tap không dành cho đối tượng household",
        {"model": "cong_dan_hoc_tap", "subject_kind": "household"},
    ),
    "set for another title": Refusal(
        lambda: Story(seed_spec()),
        CITIZEN,
        lambda s: open_case(spec=seed_spec(TT22), model=TitleModel.LEARNING_CITIZEN),
        WrongCriteriaSet,
        "bộ tiêu chí không thuộc mô hình này",
        {"model": "cong_dan_hoc_tap"},
    ),
    "second case": Refusal(
        at("reviewed"),
        CITIZEN,
        lambda s: open_case(previous=s.case),
        CaseAlreadyOpen,
        "đối tượng đã có hồ sơ cho danh hiệu và năm này",
        lambda s: {"case_id": str(s.case.id), "status": "reviewed"},
    ),
    "evidence issued after the period": Refusal(
        just_opened(),
        CITIZEN,
        attach_on(1, ["1"], date(CYCLE + 1, 1, 1), ATTACHED_ON),
        DateOutOfOrder,
        "ngày cấp minh chứng phải trong hoặc trước kỳ đánh giá, và không ở tương lai",
        {"issued_on": "2025-01-01", "data_period_end": "2024-12-31"},
    ),
    "evidence for no indicator": Refusal(
        just_opened(),
        CITIZEN,
        attach_on(1, [], EVIDENCE_ISSUED_ON, ATTACHED_ON),
        InvalidInput,
        "minh chứng phải gắn với ít nhất một chỉ số",
        {"field": "indicators"},
    ),
    "evidence of a negative size": Refusal(
        just_opened(),
        CITIZEN,
        lambda s: s.case.attach_evidence(**(ITEM | {"size": -1}), spec=s.spec),
        InvalidInput,
        "mã băm SHA-256 hoặc kích thước không hợp lệ",
        {"field": "digest"},
    ),
    "evidence id attached twice": Refusal(
        lambda: given(opened(), evidence_attached(["1"])),
        CITIZEN,
        attach_on(1, ["2"], EVIDENCE_ISSUED_ON, ATTACHED_ON),
        EvidenceNotUsable,
        "minh chứng đã tồn tại",
        {"evidence_id": str(evidence_id(1))},
    ),
    "evidence attached after the last process day": Refusal(
        just_opened(),
        CITIZEN,
        attach_on(1, ["1"], EVIDENCE_ISSUED_ON, AFTER_THE_LAST_PROCESS_DAY),
        DateOutOfRange,
        None,
        out_of_range("on"),
    ),
    "evidence attached before the opening": Refusal(
        just_opened(),
        CITIZEN,
        attach_on(1, ["1"], EVIDENCE_ISSUED_ON, OPENED_ON - DAY),
        DateOutOfOrder,
        "ngày này không được trước ngày mở hồ sơ",
        {"on": "2025-01-31", "opened_on": "2025-02-01"},
    ),
    "superseding a missing item": Refusal(
        with_two_items,
        CITIZEN,
        lambda s: s.case.supersede_evidence(evidence_id(7), None, "Nhầm"),
        NotFound,
        "không có minh chứng này trong hồ sơ",
        {"evidence_id": str(evidence_id(7))},
    ),
    "superseding by a missing item": Refusal(
        with_two_items,
        CITIZEN,
        lambda s: s.case.supersede_evidence(evidence_id(1), evidence_id(7), "Nhầm"),
        EvidenceNotUsable,
        "minh chứng thay thế không hợp lệ",
        {"evidence_id": str(evidence_id(7))},
    ),
    "a score under another set": Refusal(
        lambda: given(opened(), evidence_attached()),
        CITIZEN,
        lambda s: s.case.self_assess(passing(seed_spec(TT22)), seed_spec(TT22), SELF_ASSESSED_ON),
        WrongCriteriaSet,
        "hồ sơ được đánh giá theo phiên bản bộ tiêu chí đã ghim khi mở",
        lambda s: {"pinned": str(s.spec.set_id), "given": str(seed_spec(TT22).set_id)},
    ),
    "the self-assessor reviewing": Refusal(
        at("self_assessed"),
        CITIZEN,
        review_citing(),
        SeparationOfDuties,
        "người thẩm định không được là người tự đánh giá",
        {"actor_id": CITIZEN.id},
    ),
    "a review citing unknown evidence": Refusal(
        at("self_assessed"),
        REVIEWER,
        review_citing(evidence_id(7), evidence_id(8)),
        EvidenceNotUsable,
        "minh chứng không có hoặc đã bị thay thế",
        {"evidence_ids": [str(evidence_id(7)), str(evidence_id(8))]},
    ),
    "a review dated before the self-assessment": Refusal(
        at("self_assessed"),
        REVIEWER,
        review_citing(on=SELF_ASSESSED_ON - DAY),
        DateOutOfOrder,
        "ngày của bước này không được trước bước trước đó",
        {"on": "2025-02-02", "previous_step_on": "2025-02-03"},
    ),
    "a revision to the same score": Refusal(
        at("reviewed"),
        REVIEWER,
        revise_as(8, REVIEWED_ON),
        InvalidInput,
        "điểm mới trùng điểm hiện tại",
        {"indicator": "1"},
    ),
    "a revision citing a complaint before any decision": Refusal(
        at("reviewed"),
        REVIEWER,
        revise_as(5, REVIEWED_ON, ledger_id("test-complaint", 1)),
        StepOutOfOrder,
        None,
        {"complaint_id": str(ledger_id("test-complaint", 1))},
    ),
    "a revision of a reopened case citing no complaint": Refusal(
        reopened_story,
        REVIEWER,
        revise_as(5, REOPENED_ON),
        StepOutOfOrder,
        "sau quyết định, chỉ điều chỉnh điểm khi khiếu nại về hồ sơ được chấp nhận,"
        " và phải dẫn chiếu khiếu nại đó",
        {"complaint_id": "không dẫn chiếu"},
    ),
    "a council member revising": Refusal(
        at("council_formed"),
        CHAIR,
        revise_as(5, COUNCIL_FORMED_ON),
        SeparationOfDuties,
        "thành viên hội đồng không được điều chỉnh điểm mà hội đồng xét duyệt",
        {"actor_id": CHAIR.id},
    ),
    **{
        f"member counts {counts}": Refusal(
            share_story,
            OFFICER,
            lambda s, c=counts: record_share(s, **c),
            InvalidInput,
            COUNTS,
            FULL_COUNTS | counts,
        )
        for counts in (
            {"numerator": 0, "denominator": 0},
            {"numerator": -1},
            {"numerator": 6},
            {"log_position": -1},
        )
    },
    "a member share of a person": Refusal(
        person_share_story,
        OFFICER,
        lambda s: record_share(s, indicator="9.9"),
        InvalidInput,
        "chỉ tính tỷ lệ thành viên cho một đơn vị",
        {"subject_kind": "person"},
    ),
    "a member share of an indicator scored by hand": Refusal(
        share_story,
        OFFICER,
        lambda s: record_share(s, indicator="1.1"),
        NotComputedIndicator,
        "chỉ số 1.1 không phải chỉ số tỷ lệ thành viên được tính",
        {"indicator": "1.1"},
    ),
    "a member share counted on the period's last day": Refusal(
        share_story,
        OFFICER,
        lambda s: record_share(s, date(CYCLE, 12, 31)),
        DateOutOfOrder,
        "chỉ tính tỷ lệ sau khi kỳ số liệu kết thúc",
        {"on": "2024-12-31", "data_period_end": "2024-12-31"},
    ),
    "a member share counted after the last process day": Refusal(
        share_story,
        OFFICER,
        lambda s: record_share(s, AFTER_THE_LAST_PROCESS_DAY),
        DateOutOfRange,
        None,
        out_of_range("on"),
    ),
    "age counts without an age filter": Refusal(
        share_story,
        OFFICER,
        lambda s: record_share(s, under_age=1, unknown_age=2),
        InvalidInput,
        "chỉ số không lọc theo tuổi: không ghi số thành viên chưa đủ hoặc không rõ tuổi",
        {"under_age": 1, "unknown_age": 2},
    ),
    **{
        f"age counts {under} and {unknown}": Refusal(
            lambda: share_story(aged_spec()),
            OFFICER,
            lambda s, u=under, k=unknown: record_share(s, under_age=u, unknown_age=k),
            InvalidInput,
            AGES,
            {"min_age": 15, "under_age": under, "unknown_age": unknown, "denominator": 5},
        )
        for under, unknown in ((-1, 0), (0, -1), (0, 6))  # 5 counted members
    },
    "a notice closing before it is posted": Refusal(
        at("reviewed"),
        OFFICER,
        post(NOTICE_POSTED_ON, NOTICE_POSTED_ON - DAY),
        DateOutOfOrder,
        "ngày kết thúc niêm yết trước ngày bắt đầu",
        {},
    ),
    "a notice posted after the last process day": Refusal(
        at("reviewed"),
        OFFICER,
        post(AFTER_THE_LAST_PROCESS_DAY, AFTER_THE_LAST_PROCESS_DAY),
        DateOutOfRange,
        None,
        out_of_range("posted_on"),
    ),
    "a notice closing after the last process day": Refusal(
        at("reviewed"),
        OFFICER,
        post(NOTICE_POSTED_ON, AFTER_THE_LAST_PROCESS_DAY),
        DateOutOfRange,
        None,
        out_of_range("closes_on"),
    ),
    "a notice too short": Refusal(
        lambda: case_at("reviewed", spec=notice_spec()),
        OFFICER,
        post(NOTICE_POSTED_ON, NOTICE_POSTED_ON + 9 * DAY),
        DateOutOfOrder,
        "thời gian niêm yết phải đủ 10 ngày",
        {"posted_on": "2025-02-11", "closes_on": "2025-02-20", "notice_days": 10},
    ),
    "a notice closed early": Refusal(
        at("notice_posted"),
        OFFICER,
        lambda s: s.case.close_notice(NOTICE_CLOSES_ON - DAY, 0, None),
        DateOutOfOrder,
        "chưa hết thời gian niêm yết",
        {"closes_on": "2025-02-21", "closed_on": "2025-02-20"},
    ),
    "a negative number of comments": Refusal(
        at("notice_posted"),
        OFFICER,
        lambda s: s.case.close_notice(NOTICE_CLOSES_ON, -1, None),
        InvalidInput,
        "số ý kiến không hợp lệ",
        {"field": "comments_received"},
    ),
    **{
        f"a council of {name}": Refusal(
            at("reviewed"),
            OFFICER,
            council_of(members),
            InvalidInput,
            "hội đồng cần thành viên, không trùng lặp",
            {"field": "members"},
        )
        for name, members in (("no one", []), ("one member twice", seats(CHAIR, CHAIR)))
    },
    "a conflict declared by an outsider": Refusal(
        at("council_formed"),
        OFFICER,
        lambda s: s.case.declare_conflict(OUTSIDER.id, "Cùng hộ gia đình"),
        InvalidInput,
        "không phải thành viên hội đồng",
        {"member_id": OUTSIDER.id},
    ),
    **{
        f"votes {votes_for} to {votes_against}": Refusal(
            at("council_formed"),  # two members vote
            CHAIR,
            vote(votes_for > votes_against, votes_for, votes_against),
            InvalidInput,
            VOTES,
            {"voting_members": 2},
        )
        for votes_for, votes_against in ((-1, 0), (0, -1), (2, 1), (3, 0))
    },
    "a recommendation against the votes": Refusal(
        at("council_formed"),
        CHAIR,
        vote(True, 1, 1),
        InvalidInput,
        "kết luận của hội đồng phải theo đa số phiếu",
        {"recommended": True, "votes_for": 1, "votes_against": 1},
    ),
    "a title still valid expired": Refusal(
        granted_story,
        SYSTEM,
        lambda s: s.case.expire_title(date(2026, 3, 1)),
        RuleViolation,
        NOT_LAPSED,
        {"valid_until": "2026-03-01", "expired_on": "chưa ghi nhận"},
    ),
    "a title expired twice": Refusal(
        expired_story,
        SYSTEM,
        lambda s: s.case.expire_title(date(2026, 3, 5)),
        RuleViolation,
        NOT_LAPSED,
        {"valid_until": "2026-03-01", "expired_on": "2026-03-02"},
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refusal_reads_its_sentence_and_names_its_evidence(name):
    case = REFUSALS[name]
    story = case.build()
    watched = [story.case] if hasattr(story, "case") else []
    error = refused(case.error, case.actor, case.run, story, untouched=watched, says=case.says)
    expected = case.details(story) if callable(case.details) else case.details
    assert error.details == expected
