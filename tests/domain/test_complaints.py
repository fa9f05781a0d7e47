"""Complaints and appeals: legal clocks, who resolves, second complaints, amending decisions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.base import acting, current_context, ledger_id
from domain.clocks import FILING, SECOND_FILING, Obstacle, parse_clock_rules
from domain.complaints import Complaint
from domain.decision import RecognitionDecision, Ruling, issue_decision
from domain.errors import (
    DateOutOfOrder,
    DateOutOfRange,
    InvalidInput,
    ReasonRequired,
    SameHandler,
    SeparationOfDuties,
    StepOutOfOrder,
    StepTooLate,
    ThresholdNotMet,
)
from domain.glossary import CaseStatus, ComplaintOutcome, ComplaintStatus, DecisionOutcome, Role
from tests.domain.helpers import (
    CITIZEN,
    DECIDED_ON,
    OFFICER,
    REVIEWER,
    SEED_DIR,
    SIGNER,
    Actor,
    Story,
    case_at,
    commune,
    decide,
    grant,
    names,
    recorded,
    refused,
    scores,
    seed_spec,
    when,
)

# --- clocks, actors and the default timeline of a complaint ---------------------------------

CLOCKS = parse_clock_rules(
    json.loads((SEED_DIR / "complaint-clocks-2011.json").read_text(encoding="utf-8"))
)
CLOCKS_ID = ledger_id("test-clock-rules", 1)
HANDLER = Actor("u-handler", Role.COMPLAINT_HANDLER)
OTHER_HANDLER = Actor("u-handler-2", Role.COMPLAINT_HANDLER)
UPPER_OFFICER = Actor("u-province-officer", Role.COMPLAINT_HANDLER)  # the level above
COMPLAINANT = ledger_id("test-subject", 1)
CASE_ID = ledger_id("test-case", 1)
DECISION_ID = ledger_id("test-decision", 1)
DAY = timedelta(days=1)

LEARNT_ON = date(2025, 3, 3)  # a Monday, the day after the decision of the case stories
FILING_DEADLINE = date(2025, 6, 1)  # 90 days after LEARNT_ON
RECEIVED_ON = date(2025, 3, 10)  # a Monday
ACCEPTANCE_DEADLINE = date(2025, 3, 24)  # 10 working days after RECEIVED_ON
ACCEPTED_ON = date(2025, 3, 14)
RESOLUTION_DEADLINE = date(2025, 4, 13)  # 30 days after ACCEPTED_ON
RESOLVED_ON = date(2025, 4, 1)
SECOND_RECEIVED_ON = date(2025, 4, 15)
REVISED_ON = date(2025, 4, 5)
AMENDED_ON = date(2025, 4, 10)
REVOKED_ON = date(2025, 3, 20)  # a revocation before the complaint about it was resolved

REJECTED = ComplaintOutcome.REJECTED
PARTLY_UPHELD = ComplaintOutcome.PARTLY_UPHELD
UPHELD = ComplaintOutcome.UPHELD


def complaint_id(number: int = 1) -> UUID:
    return ledger_id("test-complaint", number)


def file_complaint(
    *,
    received_on: date = RECEIVED_ON,
    learnt_on: date = LEARNT_ON,
    case_ids: Iterable[UUID] = (CASE_ID,),
    remote: bool = False,
    obstacles: Iterable[Obstacle] = (),
    previous: Complaint | None = None,
    number: int = 1,
    **fields: Any,
) -> Complaint:
    """Receive a complaint as the application does: a first one, or a second after ``previous``
    (``fields`` replace the other arguments of :meth:`Complaint.receive`)."""
    defaults: dict[str, Any] = {
        "rules": CLOCKS,
        "decision_id": DECISION_ID,
        "step": None,
        "attachments": [],
    }
    return Complaint.receive(
        complaint_id=complaint_id(number),
        rules_id=CLOCKS_ID,
        case_ids=list(case_ids),
        complainant_id=COMPLAINANT,
        sealed_grounds="sealed:grounds",
        learnt_on=learnt_on,
        received_on=received_on,
        remote_area=remote,
        obstacles=list(obstacles),
        previous=previous,
        **(defaults | fields),
    )


ComplaintStep = tuple[Actor, Callable[[Complaint], object]]


def accepted(on: date = ACCEPTED_ON, complex_case: bool = False) -> ComplaintStep:
    return OFFICER, lambda c: c.accept(CLOCKS, on, complex_case)


def assigned(handler: Actor = HANDLER) -> ComplaintStep:
    return OFFICER, lambda c: c.assign_handler(handler.id)


def resolved(outcome: ComplaintOutcome = REJECTED, on: date = RESOLVED_ON) -> ComplaintStep:
    return HANDLER, lambda c: c.resolve(outcome, on, "Đã xác minh nội dung khiếu nại")


def complaint_given(*steps: ComplaintStep, **filing: object) -> Complaint:
    """A complaint received from the citizen, then ``steps`` run by their actors; no events left."""
    with acting(CITIZEN.context("given-received")):
        complaint = file_complaint(**filing)  # type: ignore[arg-type]
    for actor, run in steps:
        with acting(actor.context("given-step")):
            run(complaint)
    recorded(complaint)
    return complaint


def first_resolved(outcome: ComplaintOutcome = REJECTED, on: date = RESOLVED_ON) -> Complaint:
    return complaint_given(accepted(), assigned(), resolved(outcome, on))


def escalated(first: Complaint, number: int = 2) -> Complaint:
    """A second complaint received after ``first`` and recorded on it, as the application does."""
    with acting(CITIZEN.context("given-escalated")):
        second = file_complaint(previous=first, received_on=SECOND_RECEIVED_ON, number=number)
        first.escalate(second)
    recorded(first, second)
    return second


# --- decided cases, appeals and amending decisions -----------------------------------------

FAILING = scores(seed_spec(), 9, {"1": 4})  # total 85, indicator 1 under the floor of 5


def decided_case(
    outcome: DecisionOutcome = DecisionOutcome.GRANTED,
    subject: int = 1,
    number: str = "12/QĐ-UBND",
    **options: object,
) -> tuple[Story, RecognitionDecision]:
    """A case appraised then decided on DECIDED_ON by decision ``number``; no events left."""
    story = case_at("appraised", subject_id=ledger_id("test-subject", subject), **options)
    with acting(SIGNER.context("given-decided")):
        decision = decide(Ruling(story.case, story.spec, outcome), number=number)
    recorded(story.case, decision)
    return story, decision


def refused_case() -> tuple[Story, RecognitionDecision]:
    """A case that failed indicator 1, was not recommended and was refused."""
    return decided_case(DecisionOutcome.REFUSED, given_scores=FAILING, recommended=False)


def revoke(story: Story, reason: str | None = "Minh chứng bị làm giả") -> Ruling:
    return Ruling(story.case, story.spec, DecisionOutcome.REVOKED, reason)


def amend(
    *rulings: Ruling,
    amends: RecognitionDecision | None,
    on: date = AMENDED_ON,
    number: str = "13/QĐ-UBND",
) -> RecognitionDecision:
    """Issue a decision amending ``amends``, signed by the acting user."""
    return issue_decision(
        number=number,
        decided_on=on,
        signer_id=current_context().actor_id,
        signer_title="Chủ tịch UBND xã",
        authority_name="UBND xã",
        authority_unit=commune(),
        legal_basis="Quyết định giải quyết khiếu nại",
        rulings=list(rulings),
        signer_conflicts=set(),
        amends=amends,
    )


def revoked_case() -> tuple[Story, RecognitionDecision]:
    story, original = decided_case()
    with acting(SIGNER.context("given-revoked")):
        revocation = amend(revoke(story), amends=original, on=REVOKED_ON)
    recorded(story.case, revocation)
    return story, revocation


def reopen(story: Story, complaint: UUID = complaint_id(), on: date = RESOLVED_ON) -> Story:
    """The upheld complaint reopens the case (as its handler resolves it); no events left."""
    with acting(HANDLER.context("given-reopened")):
        story.case.reopen_on_appeal(complaint, on)
    recorded(story.case)
    return story


def revise_on_appeal(story: Story, complaint: UUID | None = complaint_id(), score: int = 9):
    story.case.revise_score(
        "1", Decimal(score), "Chứng chỉ tin học hợp lệ", story.spec, REVISED_ON, complaint
    )


# --- 1. filing --------------------------------------------------------------------------------


def test_a_complaint_received_in_time_records_its_filing_and_acceptance_deadlines():
    complaint = when(CITIZEN, file_complaint)
    [event] = recorded(complaint)
    assert names([event]) == ["Received"]
    assert (event.level, event.case_ids, event.previous_complaint_id) == (1, [CASE_ID], None)
    assert (event.learnt_on, event.received_on) == (LEARNT_ON, RECEIVED_ON)
    assert event.filing_deadline == FILING_DEADLINE
    assert event.acceptance_deadline == ACCEPTANCE_DEADLINE
    assert (event.rules_id, event.actor_id) == (CLOCKS_ID, CITIZEN.id)
    assert complaint.status is ComplaintStatus.RECEIVED


def test_a_complaint_received_on_the_ninetieth_day_is_in_time():
    complaint = when(CITIZEN, file_complaint, received_on=FILING_DEADLINE)
    [event] = recorded(complaint)
    assert (event.received_on, event.filing_deadline) == (FILING_DEADLINE, FILING_DEADLINE)


def test_a_complaint_received_a_day_after_the_filing_deadline_is_refused_naming_the_rule():
    error = refused(
        StepTooLate,
        CITIZEN,
        file_complaint,
        received_on=FILING_DEADLINE + DAY,
        says="quá thời hạn khiếu nại: hạn cuối là 2025-06-01",
    )
    assert error.details == {
        "rule": FILING,
        "basis": CLOCKS.periods[FILING].basis,
        "deadline": "2025-06-01",
        "received_on": "2025-06-02",
    }


def test_an_obstacle_inside_the_filing_window_moves_the_deadline_by_exactly_its_length():
    illness = Obstacle(date(2025, 4, 1), date(2025, 4, 10), "ốm đau")  # 10 days
    complaint = when(
        CITIZEN, file_complaint, received_on=FILING_DEADLINE + DAY, obstacles=[illness]
    )
    [event] = recorded(complaint)
    assert event.filing_deadline == FILING_DEADLINE + 10 * DAY
    assert event.obstacles == [
        {"first_day": "2025-04-01", "last_day": "2025-04-10", "kind": "ốm đau"}
    ]
    assert complaint.obstacles == [illness]


def test_an_obstacle_that_ends_before_it_starts_is_refused():
    backwards = Obstacle(date(2025, 4, 10), date(2025, 4, 1), "ốm đau")
    refused(
        InvalidInput,
        CITIZEN,
        file_complaint,
        obstacles=[backwards],
        says="trở ngại khách quan: ngày kết thúc trước ngày bắt đầu",
    )


def test_a_complaint_received_before_the_decision_was_learnt_of_is_refused():
    refused(
        DateOutOfOrder,
        CITIZEN,
        file_complaint,
        received_on=LEARNT_ON - DAY,
        says="ngày nhận đơn trước ngày biết quyết định",
    )


def test_a_complaint_naming_no_case_is_refused():
    error = refused(
        InvalidInput,
        CITIZEN,
        file_complaint,
        case_ids=[],
        says="khiếu nại phải nêu hồ sơ liên quan",
    )
    assert error.details == {"field": "case_ids"}


# --- 2. acceptance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("complex_case", "remote", "days"),
    [(False, False, 30), (True, False, 45), (False, True, 45), (True, True, 60)],
    ids=["plain", "complex", "remote", "remote-complex"],
)
def test_accepting_records_the_resolution_deadline_of_the_first_complaint(
    complex_case, remote, days
):
    complaint = complaint_given(remote=remote)
    when(OFFICER, complaint.accept, CLOCKS, ACCEPTED_ON, complex_case)
    [event] = recorded(complaint)
    assert names([event]) == ["Accepted"]
    assert (event.accepted_on, event.complex_case) == (ACCEPTED_ON, complex_case)
    assert event.resolution_deadline == ACCEPTED_ON + days * DAY
    assert event.acceptance_deadline == ACCEPTANCE_DEADLINE  # 10 working days, weekends skipped
    assert complaint.status is ComplaintStatus.ACCEPTED


def test_accepting_a_complaint_twice_is_refused():
    complaint = complaint_given(accepted())
    refused(
        StepOutOfOrder,
        OFFICER,
        complaint.accept,
        CLOCKS,
        ACCEPTED_ON,
        False,
        untouched=[complaint],
        says="không thể thụ lý khi khiếu nại ở trạng thái 'accepted'",
    )


def test_accepting_a_complaint_dated_before_it_was_received_is_refused():
    complaint = complaint_given()
    refused(
        DateOutOfOrder,
        OFFICER,
        complaint.accept,
        CLOCKS,
        RECEIVED_ON - DAY,
        False,
        untouched=[complaint],
        says="ngày thụ lý trước ngày nhận đơn",
    )


def test_refusing_to_accept_records_the_rule_and_the_reason():
    complaint = complaint_given()
    when(OFFICER, complaint.refuse_to_accept, ACCEPTED_ON, "Điều 11 Luật Khiếu nại", "Quá hạn")
    [event] = recorded(complaint)
    assert names([event]) == ["NotAccepted"]
    assert (event.rule, event.reason, event.decided_on) == (
        "Điều 11 Luật Khiếu nại",
        "Quá hạn",
        ACCEPTED_ON,
    )
    assert (complaint.status, complaint.closed_on) == (ComplaintStatus.NOT_ACCEPTED, ACCEPTED_ON)


def test_refusing_to_accept_without_a_reason_is_refused():
    complaint = complaint_given()
    refused(
        ReasonRequired,
        OFFICER,
        complaint.refuse_to_accept,
        ACCEPTED_ON,
        "Điều 11 Luật Khiếu nại",
        "  ",
        untouched=[complaint],
        says="cần nêu lý do",
    )


def test_refusing_to_accept_without_a_rule_is_refused():
    complaint = complaint_given()
    refused(
        InvalidInput,
        OFFICER,
        complaint.refuse_to_accept,
        ACCEPTED_ON,
        " ",
        "Quá hạn",
        untouched=[complaint],
        says="nêu căn cứ không thụ lý (ví dụ Điều 11 Luật Khiếu nại)",
    )


def test_refusing_to_accept_a_complaint_dated_before_it_was_received_is_refused():
    # Bug: accept() checks the date against received_on, refuse_to_accept() does not.
    complaint = complaint_given()
    refused(
        DateOutOfOrder,
        OFFICER,
        complaint.refuse_to_accept,
        RECEIVED_ON - DAY,
        "Điều 11 Luật Khiếu nại",
        "Quá hạn",
        untouched=[complaint],
        says="ngày không thụ lý trước ngày nhận đơn",
    )


def test_a_complaint_not_accepted_cannot_then_be_accepted():
    complaint = complaint_given()
    with acting(OFFICER.context()):
        complaint.refuse_to_accept(ACCEPTED_ON, "Điều 11 Luật Khiếu nại", "Quá hạn")
    recorded(complaint)
    refused(
        StepOutOfOrder,
        OFFICER,
        complaint.accept,
        CLOCKS,
        ACCEPTED_ON,
        False,
        untouched=[complaint],
        says="không thể thụ lý khi khiếu nại ở trạng thái 'not_accepted'",
    )


def test_a_handler_cannot_be_assigned_before_the_complaint_is_accepted():
    complaint = complaint_given()
    refused(
        StepOutOfOrder,
        OFFICER,
        complaint.assign_handler,
        HANDLER.id,
        untouched=[complaint],
        says="không thể phân công người giải quyết khi khiếu nại ở trạng thái 'received'",
    )


# --- 3. resolution ----------------------------------------------------------------------------


def test_the_assigned_handler_resolves_the_complaint_in_time():
    complaint = complaint_given(accepted(), assigned())
    when(HANDLER, complaint.resolve, REJECTED, RESOLVED_ON, "Minh chứng không hợp lệ")
    [event] = recorded(complaint)
    assert names([event]) == ["Resolved"]
    assert (event.outcome, event.resolved_on, event.late) == ("rejected", RESOLVED_ON, False)
    assert (event.reason, event.actor_id) == ("Minh chứng không hợp lệ", HANDLER.id)
    assert (complaint.status, complaint.closed_on) == (ComplaintStatus.RESOLVED, RESOLVED_ON)


def test_someone_other_than_the_assigned_handler_cannot_resolve():
    complaint = complaint_given(accepted(), assigned())
    refused(
        SeparationOfDuties,
        OTHER_HANDLER,
        complaint.resolve,
        REJECTED,
        RESOLVED_ON,
        "Minh chứng không hợp lệ",
        untouched=[complaint],
        says="chỉ người được phân công mới giải quyết khiếu nại",
    )


def test_no_one_can_resolve_a_complaint_with_no_handler_assigned():
    complaint = complaint_given(accepted())
    refused(
        SeparationOfDuties,
        HANDLER,
        complaint.resolve,
        REJECTED,
        RESOLVED_ON,
        "Minh chứng không hợp lệ",
        untouched=[complaint],
        says="chỉ người được phân công mới giải quyết khiếu nại",
    )


def test_resolving_without_a_reason_is_refused():
    complaint = complaint_given(accepted(), assigned())
    refused(
        ReasonRequired,
        HANDLER,
        complaint.resolve,
        REJECTED,
        RESOLVED_ON,
        "",
        untouched=[complaint],
        says="cần nêu lý do",
    )


def test_resolving_on_the_last_day_is_in_time_and_a_day_later_is_recorded_as_late():
    on_time = complaint_given(accepted(), assigned())
    when(HANDLER, on_time.resolve, REJECTED, RESOLUTION_DEADLINE, "Minh chứng không hợp lệ")
    late = complaint_given(accepted(), assigned())
    when(HANDLER, late.resolve, REJECTED, RESOLUTION_DEADLINE + DAY, "Minh chứng không hợp lệ")
    assert [e.late for e in recorded(on_time, late)] == [False, True]


def test_resolving_a_complaint_not_yet_accepted_is_refused():
    complaint = complaint_given()
    refused(
        StepOutOfOrder,
        HANDLER,
        complaint.resolve,
        REJECTED,
        RESOLVED_ON,
        "Minh chứng không hợp lệ",
        untouched=[complaint],
        says="không thể giải quyết khi khiếu nại ở trạng thái 'received'",
    )


def test_resolving_dated_before_the_acceptance_is_refused():
    complaint = complaint_given(accepted(), assigned())
    refused(
        DateOutOfOrder,
        HANDLER,
        complaint.resolve,
        REJECTED,
        ACCEPTED_ON - DAY,
        "Minh chứng không hợp lệ",
        untouched=[complaint],
        says="ngày giải quyết trước ngày thụ lý",
    )


# --- 4. second complaint ----------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [REJECTED, PARTLY_UPHELD])
def test_a_second_complaint_follows_a_first_that_was_not_fully_upheld(outcome):
    first = first_resolved(outcome)
    second = when(CITIZEN, file_complaint, previous=first, received_on=SECOND_RECEIVED_ON, number=2)
    [event] = recorded(second)
    assert (event.level, event.previous_complaint_id) == (2, first.id)
    assert event.filing_deadline == RESOLVED_ON + 30 * DAY  # learnt of the decision earlier
    assert first.collect_events() == []  # escalate() is a separate command


def test_the_second_filing_period_starts_at_the_learnt_date_when_it_is_later():
    first = first_resolved()
    learnt = RESOLVED_ON + 9 * DAY
    second = when(
        CITIZEN,
        file_complaint,
        previous=first,
        learnt_on=learnt,
        received_on=SECOND_RECEIVED_ON,
        number=2,
    )
    [event] = recorded(second)
    assert (event.learnt_on, event.filing_deadline) == (learnt, learnt + 30 * DAY)


def test_a_second_complaint_from_a_remote_area_has_45_days():
    first = first_resolved()
    second = when(
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=RESOLVED_ON + 45 * DAY,
        remote=True,
        number=2,
    )
    [event] = recorded(second)
    assert event.filing_deadline == RESOLVED_ON + 45 * DAY


def test_a_second_complaint_after_its_30_days_is_refused_naming_the_second_filing_rule():
    first = first_resolved()
    error = refused(
        StepTooLate,
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=RESOLVED_ON + 31 * DAY,
        number=2,
        untouched=[first],
        says="quá thời hạn khiếu nại: hạn cuối là 2025-05-01",
    )
    assert (error.details["rule"], error.details["deadline"]) == (SECOND_FILING, "2025-05-01")


def test_a_second_complaint_received_before_the_first_was_resolved_is_refused():
    # Bug: the period start (the first's resolution date) replaces learnt_on after the
    # received_on >= learnt_on check, so a Received with learnt_on after received_on is stored.
    first = first_resolved()
    error = refused(
        DateOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=RESOLVED_ON - DAY,
        number=2,
        untouched=[first],
        says="khiếu nại lần hai nhận trước khi có kết quả hoặc hết hạn giải quyết lần đầu",
    )
    assert error.details == {"received_on": "2025-03-31", "period_starts": "2025-04-01"}


def test_a_second_complaint_may_be_received_on_the_day_of_the_first_s_result():
    first = first_resolved()
    second = when(CITIZEN, file_complaint, previous=first, received_on=RESOLVED_ON, number=2)
    [event] = recorded(second)
    assert (event.learnt_on, event.received_on) == (RESOLVED_ON, RESOLVED_ON)


def test_a_remote_filing_period_applies_when_the_rules_give_one():
    content = json.loads((SEED_DIR / "complaint-clocks-2011.json").read_text(encoding="utf-8"))
    content["periods"]["filing"]["remote_days"] = 120
    remote = when(CITIZEN, file_complaint, number=8, remote=True, rules=parse_clock_rules(content))
    [event] = recorded(remote)
    assert event.filing_deadline == LEARNT_ON + 120 * DAY
    assert (event.decision_id, remote.decision_id) == (DECISION_ID, DECISION_ID)


def test_a_second_complaint_follows_a_first_left_unresolved_past_its_deadline():
    first = complaint_given(accepted(), assigned())
    second = when(
        CITIZEN,
        file_complaint,
        previous=first,
        learnt_on=RESOLUTION_DEADLINE + DAY,
        received_on=SECOND_RECEIVED_ON,
        number=2,
    )
    [event] = recorded(second)
    assert event.learnt_on == RESOLUTION_DEADLINE
    assert event.filing_deadline == RESOLUTION_DEADLINE + 30 * DAY


def test_a_second_complaint_while_the_first_is_still_within_its_period_is_refused():
    first = complaint_given(accepted(), assigned())
    refused(
        StepOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=first,
        learnt_on=RESOLUTION_DEADLINE,
        received_on=RESOLUTION_DEADLINE,
        number=2,
        untouched=[first],
        says="khiếu nại lần hai khi lần đầu bị bác (toàn bộ hoặc một phần) hoặc quá hạn giải quyết",
    )


def test_a_second_complaint_after_a_first_not_yet_accepted_is_refused():
    first = complaint_given()
    refused(
        StepOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=first,
        number=2,
        untouched=[first],
        says="khiếu nại lần hai khi lần đầu bị bác (toàn bộ hoặc một phần) hoặc quá hạn giải quyết",
    )


def test_a_second_complaint_after_an_upheld_first_is_refused():
    first = first_resolved(UPHELD)
    error = refused(
        StepOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=SECOND_RECEIVED_ON,
        number=2,
        untouched=[first],
        says="khiếu nại lần hai khi lần đầu bị bác (toàn bộ hoặc một phần) hoặc quá hạn giải quyết",
    )
    assert error.details == {"status": "resolved", "outcome": "upheld"}


def test_escalating_records_the_second_complaint_on_the_first():
    first = first_resolved()
    with acting(CITIZEN.context()):
        second = file_complaint(previous=first, received_on=SECOND_RECEIVED_ON, number=2)
    recorded(second)
    when(CITIZEN, first.escalate, second)
    [event] = recorded(first)
    assert names([event]) == ["Escalated"]
    assert event.second_complaint_id == second.id == first.escalated_to


def test_a_third_complaint_from_the_same_first_is_refused():
    first = first_resolved()
    escalated(first)
    refused(
        StepOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=SECOND_RECEIVED_ON,
        number=3,
        untouched=[first],
        says="chỉ khiếu nại lần đầu mới được khiếu nại tiếp, và một lần",
    )


def test_a_second_complaint_cannot_itself_be_escalated():
    second = escalated(first_resolved())
    refused(
        StepOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=second,
        received_on=SECOND_RECEIVED_ON,
        number=3,
        untouched=[second],
        says="chỉ khiếu nại lần đầu mới được khiếu nại tiếp, và một lần",
    )


def test_a_complex_second_complaint_has_60_days_to_be_resolved():
    second = escalated(first_resolved())
    when(OFFICER, second.accept, CLOCKS, SECOND_RECEIVED_ON, True)
    [event] = recorded(second)
    assert event.resolution_deadline == SECOND_RECEIVED_ON + 60 * DAY


def accepted_above(second: Complaint, first: Complaint) -> Complaint:
    """``second`` accepted by the level above, someone who never handled ``first``."""
    with acting(UPPER_OFFICER.context("given-accepted")):
        second.accept(CLOCKS, SECOND_RECEIVED_ON, False, first=first)
    recorded(second)
    return second


def test_the_person_who_resolved_the_first_complaint_cannot_be_named_for_the_second():
    first = first_resolved()
    second = accepted_above(escalated(first), first)
    error = refused(
        SameHandler,
        UPPER_OFFICER,
        second.assign_handler,
        HANDLER.id,
        first=first,
        untouched=[second],
        says="người đã xử lý khiếu nại lần đầu không xử lý khiếu nại lần hai",
    )
    assert error.code == "same-handler"
    assert error.details == {"complaint_id": str(second.id), "person_id": HANDLER.id}
    when(UPPER_OFFICER, second.assign_handler, OTHER_HANDLER.id, first=first)
    [event] = recorded(second)
    assert event.handler_id == OTHER_HANDLER.id


@pytest.mark.parametrize("who", [OFFICER, HANDLER])  # accepted the first; resolved it
def test_who_handled_the_first_complaint_cannot_accept_the_second(who):
    first = first_resolved()
    assert first.handled_by == [OFFICER.id, HANDLER.id]
    second = escalated(first)
    error = refused(
        SameHandler,
        who,
        second.accept,
        CLOCKS,
        SECOND_RECEIVED_ON,
        False,
        first=first,
        untouched=[second],
        says="người đã xử lý khiếu nại lần đầu không xử lý khiếu nại lần hai",
    )
    assert "khiếu nại lần hai" in error.message and error.details["person_id"] == who.id
    refusal = ("Điều 11", "Không thuộc thẩm quyền")
    refused(
        SameHandler,
        who,
        second.refuse_to_accept,
        SECOND_RECEIVED_ON,
        *refusal,
        first=first,
        untouched=[second],
        says="người đã xử lý khiếu nại lần đầu không xử lý khiếu nại lần hai",
    )
    when(UPPER_OFFICER, second.accept, CLOCKS, SECOND_RECEIVED_ON, False, first=first)
    [event] = recorded(second)
    assert names([event]) == ["Accepted"]


def test_the_first_resolver_cannot_resolve_the_second_even_if_named_for_it_before():
    """A second complaint assigned before this rule (no ``first`` given) to the person who
    resolved the first: they still cannot resolve it."""
    first = first_resolved()
    second = accepted_above(escalated(first), first)
    with acting(UPPER_OFFICER.context("given-assigned")):
        second.assign_handler(HANDLER.id)
    recorded(second)
    refused(
        SameHandler,
        HANDLER,
        second.resolve,
        REJECTED,
        SECOND_RECEIVED_ON,
        "Giữ nguyên",
        first=first,
        untouched=[second],
        says="người đã xử lý khiếu nại lần đầu không xử lý khiếu nại lần hai",
    )


def test_a_second_complaint_is_checked_against_its_own_first_only():
    first = first_resolved()
    second = escalated(first)
    stranger = complaint_given(number=5)
    error = refused(
        InvalidInput,
        UPPER_OFFICER,
        second.accept,
        CLOCKS,
        SECOND_RECEIVED_ON,
        False,
        first=stranger,
        untouched=[second],
        says="không phải khiếu nại lần đầu của khiếu nại này",
    )
    assert error.details == {"complaint_id": str(stranger.id)}


# --- 4b. the second-filing deadline: one rule (Điều 33; domain.md §8) ----------------------


@pytest.mark.parametrize(
    ("received", "in_time"),
    [(RESOLVED_ON + 30 * DAY, True), (RESOLVED_ON + 31 * DAY, False)],
)
def test_a_second_complaint_after_a_resolved_first_is_in_time_up_to_its_30th_day(received, in_time):
    first = first_resolved()
    if not in_time:
        refused(
            StepTooLate,
            CITIZEN,
            file_complaint,
            previous=first,
            received_on=received,
            number=2,
            untouched=[first],
            says="quá thời hạn khiếu nại: hạn cuối là 2025-05-01",
        )
        return
    second = when(CITIZEN, file_complaint, previous=first, received_on=received, number=2)
    [event] = recorded(second)
    assert (event.learnt_on, event.filing_deadline) == (RESOLVED_ON, received)


@pytest.mark.parametrize(
    ("received", "in_time"),
    [(RESOLUTION_DEADLINE + 30 * DAY, True), (RESOLUTION_DEADLINE + 31 * DAY, False)],
)
def test_a_second_complaint_after_an_unresolved_first_is_in_time_up_to_its_30th_day(
    received, in_time
):
    """Left unresolved, the period counts from the last day of the resolution period,
    whatever day the complainant says they learnt of it."""
    first = complaint_given(accepted(), assigned())
    filing = {"previous": first, "learnt_on": RESOLVED_ON, "received_on": received, "number": 2}
    if not in_time:
        error = refused(
            StepTooLate,
            CITIZEN,
            file_complaint,
            untouched=[first],
            **filing,
            says="quá thời hạn khiếu nại: hạn cuối là 2025-05-13",
        )
        assert error.details["deadline"] == (RESOLUTION_DEADLINE + 30 * DAY).isoformat()
        return
    second = when(CITIZEN, file_complaint, **filing)
    [event] = recorded(second)
    assert (event.learnt_on, event.filing_deadline) == (RESOLUTION_DEADLINE, received)


@pytest.mark.parametrize(
    ("received", "in_time"),
    [(RESOLVED_ON + 45 * DAY, True), (RESOLVED_ON + 46 * DAY, False)],
)
def test_a_remote_second_complaint_is_in_time_up_to_its_45th_day(received, in_time):
    first = first_resolved()
    filing = {"previous": first, "received_on": received, "remote": True, "number": 2}
    if not in_time:
        refused(
            StepTooLate,
            CITIZEN,
            file_complaint,
            untouched=[first],
            **filing,
            says="quá thời hạn khiếu nại: hạn cuối là 2025-05-16",
        )
        return
    [event] = recorded(when(CITIZEN, file_complaint, **filing))
    assert event.filing_deadline == received


def test_the_first_shows_the_second_filing_deadline_the_second_was_held_to():
    """Before escalation the first shows the period counted from the day its result was
    issued; once a second complaint says the result arrived later, both show that one day."""
    first = first_resolved()
    assert first.deadlines(CLOCKS)["second_filing"] == RESOLVED_ON + 30 * DAY
    learnt = RESOLVED_ON + 9 * DAY
    with acting(CITIZEN.context()):
        second = file_complaint(
            previous=first, learnt_on=learnt, received_on=SECOND_RECEIVED_ON, number=2
        )
        first.escalate(second)
    [received] = recorded(second)
    [event] = recorded(first)
    assert event.filing_deadline == received.filing_deadline == learnt + 30 * DAY
    assert first.deadlines(CLOCKS)["second_filing"] == learnt + 30 * DAY
    assert first.second_filing_window(CLOCKS, learnt) == (learnt, learnt + 30 * DAY)


def test_an_escalation_recorded_before_version_2_reads_with_no_recorded_deadline():
    state = {"second_complaint_id": complaint_id(2)}
    Complaint.Escalated.upcast_v1_v2(state)
    assert state["filing_deadline"] is None


@pytest.mark.parametrize(
    ("outcome", "learnt", "opens"),
    [
        (REJECTED, None, RESOLVED_ON),  # nobody has said when it arrived: the day it was issued
        (PARTLY_UPHELD, RESOLVED_ON + 9 * DAY, RESOLVED_ON + 9 * DAY),
        (REJECTED, RESOLVED_ON - 5 * DAY, RESOLVED_ON),  # never before it was issued
        (UPHELD, None, None),  # nothing left to complain about
    ],
)
def test_one_rule_says_when_the_second_filing_period_opens(outcome, learnt, opens):
    first = first_resolved(outcome)
    assert first.second_filing_opens(learnt) == opens
    expected = None if opens is None else opens + 30 * DAY
    assert first.deadlines(CLOCKS)["second_filing"] == (
        expected if learnt is None or opens is None else RESOLVED_ON + 30 * DAY
    )


def test_the_second_filing_period_of_an_unresolved_first_opens_at_its_resolution_deadline():
    first = complaint_given(accepted(), assigned())
    assert first.second_filing_opens() == RESOLUTION_DEADLINE
    assert first.deadlines(CLOCKS)["second_filing"] == RESOLUTION_DEADLINE + 30 * DAY
    assert complaint_given().second_filing_opens() is None  # received, not yet accepted


# --- 5. lawsuit -------------------------------------------------------------------------------


def test_a_lawsuit_is_recorded_with_its_court_and_date():
    complaint = first_resolved()
    when(CITIZEN, complaint.report_lawsuit, SECOND_RECEIVED_ON, "TAND tỉnh")
    [event] = recorded(complaint)
    assert names([event]) == ["LawsuitReported"]
    assert (event.reported_on, event.court) == (SECOND_RECEIVED_ON, "TAND tỉnh")
    assert complaint.lawsuit == (SECOND_RECEIVED_ON, "TAND tỉnh")


def test_a_lawsuit_reported_twice_is_refused():
    complaint = first_resolved()
    with acting(CITIZEN.context()):
        complaint.report_lawsuit(SECOND_RECEIVED_ON, "TAND tỉnh")
    recorded(complaint)
    refused(
        StepOutOfOrder,
        CITIZEN,
        complaint.report_lawsuit,
        SECOND_RECEIVED_ON + DAY,
        "TAND tỉnh",
        untouched=[complaint],
        says="đã ghi nhận khởi kiện",
    )


# --- 6. appeals on the case -------------------------------------------------------------------


@pytest.mark.parametrize("decided", ["granted", "refused", "revoked"])
def test_an_upheld_complaint_reopens_a_decided_case_citing_the_complaint(decided):
    story, _ = {"granted": decided_case, "refused": refused_case, "revoked": revoked_case}[
        decided
    ]()
    assert story.case.status == decided
    when(HANDLER, story.case.reopen_on_appeal, complaint_id(), RESOLVED_ON)
    [event] = recorded(story.case)
    assert names([event]) == ["ReopenedOnAppeal"]
    assert (event.complaint_id, event.reopened_on) == (complaint_id(), RESOLVED_ON)
    assert (story.case.status, story.case.appeal_complaint_id) == (
        CaseStatus.REOPENED,
        complaint_id(),
    )


@pytest.mark.parametrize("stage", ["appraised", "reopened"])
def test_a_case_that_is_not_decided_cannot_be_reopened(stage):
    story = case_at("appraised") if stage == "appraised" else reopen(decided_case()[0])
    refused(
        StepOutOfOrder,
        HANDLER,
        story.case.reopen_on_appeal,
        complaint_id(2),
        RESOLVED_ON,
        untouched=[story.case],
    )


def test_a_reopened_case_s_score_is_revised_citing_the_complaint():
    story = reopen(refused_case()[0])
    when(REVIEWER, revise_on_appeal, story)
    [event] = recorded(story.case)
    assert names([event]) == ["ScoreRevised"]
    assert (event.indicator, event.previous, event.score) == ("1", Decimal(4), Decimal(9))
    assert event.complaint_id == complaint_id()


@pytest.mark.parametrize("cited", [None, complaint_id(2)], ids=["none", "another"])
def test_revising_a_reopened_case_without_citing_its_complaint_is_refused(cited):
    story = reopen(refused_case()[0])
    refused(
        StepOutOfOrder,
        REVIEWER,
        revise_on_appeal,
        story,
        cited,
        untouched=[story.case],
        says="sau quyết định, chỉ điều chỉnh điểm khi khiếu nại về hồ sơ được chấp nhận, và phải dẫn chiếu khiếu nại đó",
    )


def test_revising_a_case_that_was_not_reopened_citing_a_complaint_is_refused():
    story = case_at("reviewed")
    refused(
        StepOutOfOrder,
        REVIEWER,
        revise_on_appeal,
        story,
        untouched=[story.case],
        says="sau quyết định, chỉ điều chỉnh điểm khi khiếu nại về hồ sơ được chấp nhận, và phải dẫn chiếu khiếu nại đó",
    )


# --- 7. amending decisions --------------------------------------------------------------------


def test_an_amending_decision_grants_a_reopened_case_that_now_passes_without_a_new_appraisal():
    story, original = refused_case()
    reopen(story)
    with acting(REVIEWER.context()):
        revise_on_appeal(story)
    recorded(story.case)
    assert story.case.recommended is False
    amending = when(SIGNER, amend, grant(story), amends=original)
    [issued] = recorded(amending)
    [granted] = recorded(story.case)
    assert (issued.amends, granted.decision_id) == (original.id, amending.id)
    assert names([granted]) == ["TitleGranted"]
    assert (granted.valid_from, granted.total) == (AMENDED_ON, Decimal(90))
    assert story.case.status is CaseStatus.GRANTED


def test_an_amending_decision_cannot_grant_a_reopened_case_that_still_fails():
    story, original = refused_case()
    reopen(story)
    error = refused(
        ThresholdNotMet,
        SIGNER,
        amend,
        grant(story),
        amends=original,
        untouched=[story.case],
        says="chỉ công nhận hồ sơ đạt ngưỡng và được hội đồng đề nghị",
    )
    assert error.details["failures"][0]["indicator"] == "1"


def test_revoking_a_title_without_amending_its_decision_is_refused():
    story, _ = decided_case()
    refused(
        StepOutOfOrder,
        SIGNER,
        decide,
        revoke(story),
        on=AMENDED_ON,
        untouched=[story.case],
        says="thu hồi danh hiệu phải bằng quyết định sửa đổi, hủy bỏ",
    )


def test_revoking_a_title_without_a_reason_is_refused():
    story, original = decided_case()
    error = refused(
        ReasonRequired,
        SIGNER,
        amend,
        revoke(story, None),
        amends=original,
        untouched=[story.case],
        says="thu hồi danh hiệu cần nêu căn cứ, lý do",
    )
    assert error.details == {"case_id": str(story.case.id)}


def test_revoking_a_title_records_it_revoked_from_the_amending_decision_date():
    story, original = decided_case()
    revocation = when(SIGNER, amend, revoke(story), amends=original)
    [issued] = recorded(revocation)
    [revoked] = recorded(story.case)
    assert names([revoked]) == ["TitleRevoked"]
    assert (revoked.decision_id, revoked.decided_on, revoked.revoked_from) == (
        revocation.id,
        AMENDED_ON,
        AMENDED_ON,
    )
    assert revoked.reason == "Minh chứng bị làm giả"
    assert issued.entries[0]["revoked_from"] == AMENDED_ON.isoformat()
    assert (story.case.status, story.case.revoked_from) == (CaseStatus.REVOKED, AMENDED_ON)


def test_an_amending_decision_cannot_rule_on_a_case_of_another_decision():
    _, original = decided_case()
    other, _ = decided_case(subject=2, number="21/QĐ-UBND")
    error = refused(
        InvalidInput,
        SIGNER,
        amend,
        revoke(other),
        amends=original,
        untouched=[other.case],
        says="hồ sơ không thuộc quyết định được sửa đổi",
    )
    assert error.details == {"case_id": str(other.case.id), "amends": str(original.id)}


def test_an_amending_decision_dated_before_the_decision_it_amends_is_refused():
    story, original = decided_case()
    error = refused(
        DateOutOfOrder,
        SIGNER,
        amend,
        revoke(story),
        amends=original,
        on=DECIDED_ON - DAY,
        untouched=[story.case],
        says="quyết định sửa đổi không thể trước quyết định bị sửa đổi",
    )
    assert "sửa đổi" in error.message


def test_an_amending_decision_cannot_grant_a_case_that_was_not_reopened():
    story, original = refused_case()
    error = refused(
        StepOutOfOrder,
        SIGNER,
        amend,
        grant(story),
        amends=original,
        untouched=[story.case],
        says="quyết định sửa đổi chỉ công nhận lại hoặc từ chối hồ sơ đã được xem xét lại theo khiếu nại",
    )
    assert error.details["status"] == "refused"


# --- what a complaint records, as written ---------------------------------------------------

UNIT_A = ledger_id("test-unit", 1)
UNIT_B = ledger_id("test-unit", 2)


def test_a_complaint_records_everything_it_was_received_with():
    illness = Obstacle(date(2025, 3, 4), date(2025, 3, 6), "ốm đau")
    attachment = {"digest": "ab" * 32, "media_type": "application/pdf"}
    complaint = when(
        CITIZEN,
        file_complaint,
        number=7,
        step="reviewed",
        remote=True,
        obstacles=[illness],
        unit_ids=[UNIT_B, UNIT_A, UNIT_B],
        attachments=[attachment],
    )
    [event] = recorded(complaint)
    assert (event.decision_id, event.step) == (DECISION_ID, "reviewed")
    assert event.complainant_id == COMPLAINANT
    assert (event.sealed_grounds, event.remote_area) == ("sealed:grounds", True)
    assert event.unit_ids == [UNIT_B, UNIT_A]  # each unit once, in the order given
    assert event.obstacles == [
        {"first_day": "2025-03-04", "last_day": "2025-03-06", "kind": "ốm đau"}
    ]
    assert (event.attachments, event.effective_date) == ([attachment], RECEIVED_ON)
    assert event.filing_deadline == FILING_DEADLINE + 3 * DAY  # three days lost
    assert (complaint.id, complaint.level, complaint.step) == (complaint_id(7), 1, "reviewed")
    assert (complaint.decision_id, complaint.complainant_id) == (DECISION_ID, COMPLAINANT)
    assert (complaint.case_ids, complaint.unit_ids) == ([CASE_ID], [UNIT_B, UNIT_A])
    assert (complaint.sealed_grounds, complaint.remote_area) == ("sealed:grounds", True)
    assert (complaint.learnt_on, complaint.received_on) == (LEARNT_ON, RECEIVED_ON)
    assert complaint.obstacles == [illness]
    assert (complaint.attachments, complaint.rules_id) == ([attachment], CLOCKS_ID)
    assert (complaint.previous_complaint_id, complaint.escalated_to) == (None, None)
    assert (complaint.accepted_on, complaint.resolution_deadline, complaint.closed_on) == (
        None,
        None,
        None,
    )
    assert (complaint.handler_id, complaint.outcome, complaint.lawsuit) == (None, None, None)
    assert (complaint.complex_case, complaint.handled_by) == (False, [])
    assert complaint.second_filing_deadline is None


def test_a_complaint_received_before_units_were_recorded_reads_with_no_units():
    state: dict[str, object] = {}
    Complaint.Received.upcast_v1_v2(state)
    assert state == {"unit_ids": []}


def test_each_step_records_its_effective_date_and_who_handled_it():
    complaint = complaint_given(accepted(complex_case=True), assigned())
    assert (complaint.accepted_on, complaint.complex_case) == (ACCEPTED_ON, True)
    assert complaint.handled_by == [OFFICER.id, HANDLER.id]
    assert complaint.handler_id == HANDLER.id
    when(HANDLER, complaint.resolve, PARTLY_UPHELD, RESOLVED_ON, "Có căn cứ một phần")
    [event] = recorded(complaint)
    assert (event.outcome, event.resolved_on, event.late) == ("partly_upheld", RESOLVED_ON, False)
    assert (event.reason, event.effective_date) == ("Có căn cứ một phần", RESOLVED_ON)
    assert (complaint.status, complaint.closed_on) == (ComplaintStatus.RESOLVED, RESOLVED_ON)
    assert complaint.outcome is PARTLY_UPHELD and complaint.upheld
    assert complaint.handled_by == [OFFICER.id, HANDLER.id]


def test_acceptance_records_its_deadlines_and_date():
    complaint = complaint_given()
    when(OFFICER, complaint.accept, CLOCKS, ACCEPTED_ON, True)
    [event] = recorded(complaint)
    assert (event.accepted_on, event.complex_case, event.effective_date) == (
        ACCEPTED_ON,
        True,
        ACCEPTED_ON,
    )
    assert event.acceptance_deadline == ACCEPTANCE_DEADLINE
    assert event.resolution_deadline == ACCEPTED_ON + 45 * DAY  # complex: 45 days


def test_a_refusal_to_accept_records_its_date_rule_and_reason_and_closes_the_complaint():
    complaint = complaint_given()
    when(OFFICER, complaint.refuse_to_accept, ACCEPTED_ON, "Điều 11", "Quá thời hiệu")
    [event] = recorded(complaint)
    assert (event.decided_on, event.rule, event.reason) == (ACCEPTED_ON, "Điều 11", "Quá thời hiệu")
    assert event.effective_date == ACCEPTED_ON
    assert (complaint.status, complaint.closed_on) == (ComplaintStatus.NOT_ACCEPTED, ACCEPTED_ON)
    assert complaint.handled_by == [OFFICER.id]


def test_every_clock_of_a_complaint_is_read_from_its_stored_dates():
    received = complaint_given()
    assert received.deadlines(CLOCKS) == {
        "filing": FILING_DEADLINE,
        "acceptance": ACCEPTANCE_DEADLINE,
        "resolution": None,
        "second_filing": None,
    }
    first = complaint_given(accepted(), assigned())
    assert first.deadlines(CLOCKS) == {
        "filing": FILING_DEADLINE,
        "acceptance": ACCEPTANCE_DEADLINE,
        "resolution": RESOLUTION_DEADLINE,
        "second_filing": RESOLUTION_DEADLINE + 30 * DAY,  # left unresolved
    }
    second = escalated(first_resolved())
    with acting(OFFICER.context()):
        second.accept(CLOCKS, SECOND_RECEIVED_ON, False)
    assert second.deadlines(CLOCKS)["second_filing"] is None  # nothing above a second one
    assert second.deadlines(CLOCKS)["resolution"] == SECOND_RECEIVED_ON + 45 * DAY


def test_a_remote_first_complaint_counts_its_second_filing_period_as_remote():
    first = complaint_given(accepted(), assigned(), resolved(), remote=True)
    assert first.second_filing_window(CLOCKS) == (RESOLVED_ON, RESOLVED_ON + 45 * DAY)
    assert first.second_filing_window(CLOCKS, remote=False) == (
        RESOLVED_ON,
        RESOLVED_ON + 30 * DAY,
    )


def test_a_lawsuit_records_its_date_as_the_effective_date():
    complaint = first_resolved()
    when(CITIZEN, complaint.report_lawsuit, SECOND_RECEIVED_ON, "TAND tỉnh")
    [event] = recorded(complaint)
    assert (event.reported_on, event.court, event.effective_date) == (
        SECOND_RECEIVED_ON,
        "TAND tỉnh",
        SECOND_RECEIVED_ON,
    )


# --- the edges of each date rule: the same day is in order, the day before is not -----------


def test_a_complaint_may_be_received_on_the_day_the_decision_was_learnt_of_with_a_one_day_obstacle():
    one_day = Obstacle(date(2025, 4, 1), date(2025, 4, 1), "ốm đau")
    complaint = when(
        CITIZEN, file_complaint, received_on=LEARNT_ON, learnt_on=LEARNT_ON, obstacles=[one_day]
    )
    [event] = recorded(complaint)
    assert (event.received_on, event.filing_deadline) == (LEARNT_ON, FILING_DEADLINE + DAY)


def test_each_authority_step_may_fall_on_the_day_of_the_step_before():
    complaint = complaint_given()
    when(OFFICER, complaint.accept, CLOCKS, RECEIVED_ON, False)
    when(OFFICER, complaint.assign_handler, HANDLER.id)
    when(HANDLER, complaint.resolve, REJECTED, RECEIVED_ON, "Không có căn cứ")
    when(CITIZEN, complaint.report_lawsuit, RECEIVED_ON, "TAND tỉnh")
    assert names(recorded(complaint)) == [
        "Accepted",
        "HandlerAssigned",
        "Resolved",
        "LawsuitReported",
    ]
    not_accepted = complaint_given()
    when(OFFICER, not_accepted.refuse_to_accept, RECEIVED_ON, "Điều 11", "Quá thời hiệu")
    assert names(recorded(not_accepted)) == ["NotAccepted"]


def test_a_lawsuit_dated_before_the_complaint_was_received_is_refused():
    complaint = first_resolved()
    refused(
        DateOutOfOrder,
        CITIZEN,
        complaint.report_lawsuit,
        RECEIVED_ON - DAY,
        "TAND tỉnh",
        untouched=[complaint],
        says="ngày khởi kiện trước ngày nhận đơn",
    )


def test_a_second_complaint_about_other_cases_is_refused():
    first = first_resolved()
    error = refused(
        InvalidInput,
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=SECOND_RECEIVED_ON,
        case_ids=[CASE_ID, ledger_id("test-case", 2)],
        number=2,
        untouched=[first],
        says="khiếu nại lần hai phải về đúng các hồ sơ của khiếu nại lần đầu",
    )
    assert error.details == {"field": "case_ids"}


def test_a_second_complaint_records_its_level_and_first():
    first = first_resolved()
    second = when(CITIZEN, file_complaint, previous=first, received_on=SECOND_RECEIVED_ON, number=2)
    [event] = recorded(second)
    assert (event.level, event.previous_complaint_id) == (2, first.id)
    assert (second.level, second.previous_complaint_id) == (2, first.id)


# --- second complaints: obstacles, escalation and who may act on them ----------------------


def test_an_obstacle_in_the_second_filing_period_moves_its_deadline_by_its_length():
    first = first_resolved()  # the second filing period runs to 2025-05-01
    illness = Obstacle(date(2025, 4, 10), date(2025, 4, 14), "ốm đau")
    filing = {"previous": first, "obstacles": [illness], "number": 2}
    second = when(CITIZEN, file_complaint, received_on=date(2025, 5, 6), **filing)
    [event] = recorded(second)
    assert event.filing_deadline == date(2025, 5, 6)
    refused(
        StepTooLate,
        CITIZEN,
        file_complaint,
        received_on=date(2025, 5, 7),
        untouched=[first],
        **filing,
        says="quá thời hạn khiếu nại: hạn cuối là 2025-05-06",
    )


def test_a_second_complaint_too_early_says_the_first_has_no_result_yet():
    first = complaint_given(accepted(), assigned())
    error = refused(
        StepOutOfOrder,
        CITIZEN,
        file_complaint,
        previous=first,
        received_on=RESOLVED_ON,
        number=2,
        untouched=[first],
    )
    assert error.details == {"status": "accepted", "outcome": "chưa có kết quả"}


def test_a_first_complaint_is_escalated_only_to_its_own_second_and_only_once():
    first = first_resolved()
    stranger = complaint_given(number=5)
    says = "mỗi khiếu nại lần đầu chỉ có một khiếu nại lần hai của chính nó"
    refused(StepOutOfOrder, CITIZEN, first.escalate, stranger, untouched=[first], says=says)
    second = escalated(first)
    refused(StepOutOfOrder, CITIZEN, first.escalate, second, untouched=[first], says=says)


def test_a_complaint_already_accepted_cannot_then_be_refused():
    complaint = complaint_given(accepted())
    error = refused(
        StepOutOfOrder,
        OFFICER,
        complaint.refuse_to_accept,
        ACCEPTED_ON,
        "Điều 11",
        "Quá thời hiệu",
        untouched=[complaint],
        says="không thể từ chối thụ lý khi khiếu nại ở trạng thái 'accepted'",
    )
    assert error.details == {"status": "accepted"}


@pytest.mark.parametrize(
    ("actor", "step", "field"),
    [
        (OFFICER, lambda c: c.refuse_to_accept(date(2101, 1, 1), "Điều 11", "Lý do"), "decided_on"),
        (HANDLER, lambda c: c.resolve(REJECTED, date(2101, 1, 1), "Lý do"), "resolved_on"),
        (CITIZEN, lambda c: c.report_lawsuit(date(2101, 1, 1), "TAND tỉnh"), "reported_on"),
    ],
    ids=["refusal", "resolution", "lawsuit"],
)
def test_each_step_refuses_a_date_outside_the_accepted_range_by_name(actor, step, field):
    before = () if field == "decided_on" else (accepted(), assigned())
    complaint = complaint_given(*before)
    error = refused(DateOutOfRange, actor, step, complaint, untouched=[complaint])
    assert error.details["field"] == field


def test_a_handler_for_a_second_complaint_is_named_against_its_own_first_only():
    first = first_resolved()
    second = escalated(first)
    with acting(UPPER_OFFICER.context("given-accepted")):
        second.accept(CLOCKS, SECOND_RECEIVED_ON, False, first=first)
    recorded(second)
    stranger = complaint_given(number=5)
    refused(
        InvalidInput,
        UPPER_OFFICER,
        second.assign_handler,
        OTHER_HANDLER.id,
        first=stranger,
        untouched=[second],
        says="không phải khiếu nại lần đầu của khiếu nại này",
    )


# --- 7b. what an amending decision may revoke, and what it records ---------------------------

ONLY_GRANTED = "chỉ thu hồi danh hiệu đã được công nhận"


def test_a_revocation_records_the_decision_it_amends_its_number_and_effective_date():
    story, original = decided_case()
    revocation = when(SIGNER, amend, revoke(story), amends=original)
    [revoked] = recorded(story.case)
    assert revocation.amends == original.id
    assert (revoked.decision_number, revoked.effective_date) == ("13/QĐ-UBND", AMENDED_ON)


def test_an_amending_decision_dated_the_day_of_the_decision_it_amends_is_accepted():
    story, original = decided_case()
    revocation = when(SIGNER, amend, revoke(story), amends=original, on=DECIDED_ON)
    assert names(recorded(revocation, story.case)) == ["Issued", "TitleRevoked"]


@pytest.mark.parametrize("reopened", [False, True], ids=["refused", "refused-then-reopened"])
def test_revoking_a_case_that_was_refused_is_refused_naming_the_case(reopened):
    story, original = refused_case()
    if reopened:
        reopen(story)
    error = refused(
        StepOutOfOrder,
        SIGNER,
        amend,
        revoke(story),
        amends=original,
        untouched=[story.case],
        says=ONLY_GRANTED,
    )
    assert error.details == {"case_id": str(story.case.id)}


def test_revoking_a_title_already_revoked_is_refused():
    story, revocation = revoked_case()
    refused(
        StepOutOfOrder,
        SIGNER,
        amend,
        revoke(story),
        amends=revocation,
        number="14/QĐ-UBND",
        untouched=[story.case],
        says=ONLY_GRANTED,
    )


def test_a_granted_title_reopened_on_appeal_can_be_revoked():
    story, original = decided_case()
    reopen(story)
    when(SIGNER, amend, revoke(story), amends=original)
    [revoked] = recorded(story.case)
    assert names([revoked]) == ["TitleRevoked"]
    assert story.case.status is CaseStatus.REVOKED


def test_granting_a_case_not_reopened_names_the_case_and_its_status():
    story, original = refused_case()
    error = refused(StepOutOfOrder, SIGNER, amend, grant(story), amends=original)
    assert error.details == {"case_id": str(story.case.id), "status": "refused"}
