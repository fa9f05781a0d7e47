"""Steps in order, dates in order, the pinned criteria set, and one open case per key."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from domain.assessment import AssessmentCase, case_id_for
from domain.errors import (
    CaseAlreadyOpen,
    DateOutOfOrder,
    ReasonRequired,
    StepOutOfOrder,
    SubjectMismatch,
    WrongCriteriaSet,
)
from domain.glossary import SubjectKind, TitleModel
from tests.domain.helpers import (
    APPRAISED_ON,
    ATTACHED_ON,
    CHAIR,
    CITIZEN,
    COUNCIL_FORMED_ON,
    CYCLE,
    NOTICE_CLOSES_ON,
    NOTICE_POSTED_ON,
    OFFICER,
    OPENED_ON,
    REVIEWED_ON,
    REVIEWER,
    SELF_ASSESSED_ON,
    SUBJECT,
    TT22,
    UNIT,
    Story,
    attach,
    case_at,
    codes,
    evidence_attached,
    given,
    names,
    notice_closed,
    notice_posted,
    notice_spec,
    opened,
    passing,
    path_to,
    publish,
    recorded,
    refused,
    reviewed,
    seats,
    seed_content,
    seed_spec,
    self_assessed,
    when,
    withdrawn,
)

DAY = timedelta(days=1)


def open_case(spec=None, previous=None, subject_kind=SubjectKind.PERSON, model=None):
    spec = spec or seed_spec()
    return AssessmentCase.open(
        subject_id=SUBJECT,
        subject_kind=subject_kind,
        unit_id=UNIT,
        model=model or spec.model,
        cycle_year=CYCLE,
        spec=spec,
        opened_on=OPENED_ON,
        previous=previous,
    )


def form_council(story, on=COUNCIL_FORMED_ON):
    return story.case.form_council("Hội đồng", seats(CHAIR), on, story.spec, set())


def appraise(story, on=APPRAISED_ON):
    return story.case.appraise(
        recommended=True,
        votes_for=1,
        votes_against=0,
        remarks=None,
        spec=story.spec,
        on=on,
        actor_conflicted=False,
    )


# --- the pinned criteria set ----------------------------------------------------------------


def test_opening_a_case_pins_the_criteria_set_version_and_the_data_period():
    spec = seed_spec()
    case = when(CITIZEN, open_case, spec)
    [event] = recorded(case)
    assert names([event]) == ["Opened"]
    assert (event.criteria_set_id, event.criteria_set_code) == (spec.set_id, spec.code)
    assert (event.data_period_start, event.data_period_end) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
    )
    assert event.opened_on == OPENED_ON


def test_a_case_refuses_scores_under_another_published_version():
    story = given(opened(), evidence_attached())
    content = seed_content()
    content["effective_from"] = "2025-01-01"
    version_2 = publish(content, version=2, supersedes=story.spec.set_id).spec
    refused(
        WrongCriteriaSet,
        CITIZEN,
        story.case.self_assess,
        passing(version_2),
        version_2,
        SELF_ASSESSED_ON,
        untouched=[story.case],
        says="hồ sơ được đánh giá theo phiên bản bộ tiêu chí đã ghim khi mở",
    )


def test_a_case_cannot_be_opened_under_an_unpublished_criteria_set():
    refused(
        WrongCriteriaSet,
        CITIZEN,
        open_case,
        replace(seed_spec(), set_id=None),
        says="bộ tiêu chí chưa được công bố",
    )


def test_a_case_cannot_be_opened_under_a_set_for_another_title():
    refused(
        WrongCriteriaSet,
        CITIZEN,
        open_case,
        seed_spec(TT22),
        model=TitleModel.LEARNING_CITIZEN,
        says="bộ tiêu chí không thuộc mô hình này",
    )


def test_a_title_cannot_be_opened_for_the_wrong_kind_of_subject():
    refused(
        SubjectMismatch,
        CITIZEN,
        open_case,
        seed_spec(),
        subject_kind=SubjectKind.HOUSEHOLD,
        says="danh hiệu cong_dan_hoc_tap không dành cho đối tượng household",
    )


# --- one open case per subject, title and cycle year ----------------------------------------


def test_a_second_case_for_the_same_subject_title_and_year_is_refused():
    first = case_at("self_assessed")
    error = refused(
        CaseAlreadyOpen,
        CITIZEN,
        open_case,
        previous=first.case,
        untouched=[first.case],
        says="đối tượng đã có hồ sơ cho danh hiệu và năm này",
    )
    assert error.details["case_id"] == str(first.case.id)


def test_after_a_withdrawal_the_next_attempt_gets_a_different_id():
    first = given(*path_to("self_assessed"), withdrawn())
    second = when(CITIZEN, open_case, previous=first.case)
    [event] = recorded(second)
    assert event.attempt == 2
    assert second.id != first.case.id
    assert second.id == case_id_for(SUBJECT, TitleModel.LEARNING_CITIZEN, CYCLE, 2)


def test_the_same_key_and_attempt_always_give_the_same_case_id():
    case = when(CITIZEN, open_case)
    assert case.id == case_id_for(SUBJECT, TitleModel.LEARNING_CITIZEN, CYCLE, 1)
    assert when(CITIZEN, open_case).id == case.id


def test_a_withdrawal_needs_a_reason():
    story = case_at("self_assessed")
    refused(
        ReasonRequired,
        CITIZEN,
        story.case.withdraw,
        " ",
        SELF_ASSESSED_ON,
        untouched=[story.case],
        says="cần nêu lý do",
    )


# --- steps in order -------------------------------------------------------------------------


def test_a_review_before_the_self_assessment_is_refused():
    story = given(opened(), evidence_attached())
    refused(
        StepOutOfOrder,
        REVIEWER,
        story.case.review,
        passing(story.spec),
        story.evidence,
        story.spec,
        REVIEWED_ON,
        untouched=[story.case],
        says="không thể thẩm định khi hồ sơ ở trạng thái 'opened'",
    )


def test_an_appraisal_before_the_council_is_formed_is_refused():
    story = case_at("reviewed")
    refused(
        StepOutOfOrder,
        CHAIR,
        appraise,
        story,
        untouched=[story.case],
        says="không thể xét duyệt khi hồ sơ ở trạng thái 'reviewed'",
    )


def refused_council(story: Story, status: str) -> None:
    """Forming the council is refused while the required notice has not closed."""
    says = f"không thể thành lập hội đồng (cần niêm yết trước) khi hồ sơ ở trạng thái '{status}'"
    refused(StepOutOfOrder, OFFICER, form_council, story, untouched=[story.case], says=says)


def test_a_council_cannot_be_formed_before_the_notice_closes_when_the_set_requires_notice():
    story = case_at("reviewed", spec=notice_spec())
    refused_council(story, "reviewed")


def test_a_council_cannot_be_formed_while_the_required_notice_is_still_posted():
    story = given(*case_steps_to_notice(), spec=notice_spec())
    refused_council(story, "notice_posted")


def case_steps_to_notice():
    return [opened(), evidence_attached(), self_assessed(), reviewed(), notice_posted()]


def test_a_council_can_be_formed_once_the_required_notice_has_closed():
    story = given(*case_steps_to_notice(), notice_closed(), spec=notice_spec())
    when(OFFICER, form_council, story)
    assert names(recorded(story.case)) == ["CouncilFormed"]


def test_a_council_can_follow_the_review_when_the_set_requires_no_notice():
    story = case_at("reviewed")
    when(OFFICER, form_council, story)
    assert names(recorded(story.case)) == ["CouncilFormed"]


def test_a_notice_cannot_close_before_its_closing_date():
    story = given(*case_steps_to_notice(), spec=notice_spec())
    refused(
        DateOutOfOrder,
        OFFICER,
        story.case.close_notice,
        NOTICE_CLOSES_ON - DAY,
        0,
        None,
        untouched=[story.case],
        says="chưa hết thời gian niêm yết",
    )


def test_a_notice_shorter_than_the_set_requires_is_refused():
    story = case_at("reviewed", spec=notice_spec())
    error = refused(
        DateOutOfOrder,
        OFFICER,
        story.case.post_notice,
        NOTICE_POSTED_ON,
        NOTICE_POSTED_ON + 9 * DAY,
        "Nhà văn hóa thôn",
        story.spec,
        untouched=[story.case],
        says="thời gian niêm yết phải đủ 10 ngày",
    )
    assert error.details["notice_days"] == 10


def test_a_notice_of_exactly_the_required_days_is_posted():
    story = case_at("reviewed", spec=notice_spec())
    when(
        OFFICER,
        story.case.post_notice,
        NOTICE_POSTED_ON,
        NOTICE_POSTED_ON + 10 * DAY,
        "Nhà văn hóa thôn",
        story.spec,
    )
    [event] = recorded(story.case)
    assert (event.posted_on, event.closes_on) == (NOTICE_POSTED_ON, NOTICE_POSTED_ON + 10 * DAY)


# --- dates in order -------------------------------------------------------------------------


def test_a_self_assessment_dated_before_the_opening_is_refused():
    story = given(opened(), evidence_attached())
    refused(
        DateOutOfOrder,
        CITIZEN,
        story.case.self_assess,
        passing(story.spec),
        story.spec,
        OPENED_ON - DAY,
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_a_review_dated_before_the_self_assessment_is_refused():
    story = case_at("self_assessed")
    refused(
        DateOutOfOrder,
        REVIEWER,
        story.case.review,
        passing(story.spec),
        story.evidence,
        story.spec,
        SELF_ASSESSED_ON - DAY,
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_a_council_formed_before_the_review_date_is_refused():
    story = case_at("reviewed")
    refused(
        DateOutOfOrder,
        OFFICER,
        form_council,
        story,
        REVIEWED_ON - DAY,
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_an_appraisal_dated_before_the_council_was_formed_is_refused():
    story = case_at("council_formed")
    refused(
        DateOutOfOrder,
        CHAIR,
        appraise,
        story,
        COUNCIL_FORMED_ON - DAY,
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_a_notice_posted_before_the_review_date_is_refused():
    story = case_at("reviewed", spec=notice_spec())
    refused(
        DateOutOfOrder,
        OFFICER,
        story.case.post_notice,
        REVIEWED_ON - DAY,
        REVIEWED_ON + 20 * DAY,
        "Nhà văn hóa thôn",
        story.spec,
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_evidence_issued_after_the_data_period_is_refused():
    story = given(opened())
    refused(
        DateOutOfOrder,
        CITIZEN,
        attach,
        story,
        1,
        codes(story.spec),
        date(CYCLE + 1, 1, 1),
        ATTACHED_ON,
        untouched=[story.case],
        says="ngày cấp minh chứng phải trong hoặc trước kỳ đánh giá, và không ở tương lai",
    )


def test_evidence_issued_in_the_future_is_refused():
    story = given(opened(), cycle_year=2025)  # the data period runs to 2025-12-31
    refused(
        DateOutOfOrder,
        CITIZEN,
        attach,
        story,
        1,
        codes(story.spec),
        ATTACHED_ON + DAY,
        ATTACHED_ON,
        untouched=[story.case],
        says="ngày cấp minh chứng phải trong hoặc trước kỳ đánh giá, và không ở tương lai",
    )


def test_evidence_issued_before_the_data_period_is_accepted():
    story = given(opened())
    when(CITIZEN, attach, story, 1, codes(story.spec), date(CYCLE - 1, 6, 1), ATTACHED_ON)
    [event] = recorded(story.case)
    assert names([event]) == ["EvidenceAttached"]
    assert event.issued_on == date(CYCLE - 1, 6, 1)
    assert event.indicators == codes(story.spec)
