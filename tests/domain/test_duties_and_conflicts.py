"""Separation of duties and conflicts of interest, from the review to the signature."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.errors import (
    ConflictOfInterest,
    InvalidInput,
    ReasonRequired,
    SeparationOfDuties,
)
from domain.glossary import Role
from tests.domain.helpers import (
    APPRAISED_ON,
    CHAIR,
    CITIZEN,
    COUNCIL_FORMED_ON,
    MEMBER,
    OFFICER,
    OUTSIDER,
    REVIEWED_ON,
    REVIEWER,
    SIGNER,
    Actor,
    appraised,
    case_at,
    conflict_declared,
    council_formed,
    decide,
    given,
    grant,
    names,
    passing,
    path_to,
    recorded,
    refused,
    score_revised,
    seats,
    self_assessed,
    when,
)

DAY = timedelta(days=1)

CONFLICTED = "người có xung đột lợi ích không được xét duyệt"


def form_council(story, members, conflicted=()):
    story.case.form_council("Hội đồng", members, COUNCIL_FORMED_ON, story.spec, set(conflicted))


def appraise(story, actor_conflicted=False, votes_for=1):
    story.case.appraise(
        recommended=True,
        votes_for=votes_for,
        votes_against=0,
        remarks=None,
        spec=story.spec,
        on=APPRAISED_ON,
        actor_conflicted=actor_conflicted,
    )


# --- who may review, revise and sit on the council ------------------------------------------


def test_the_self_assessor_cannot_review_their_own_case():
    story = case_at("self_assessed")
    refused(
        SeparationOfDuties,
        CITIZEN,
        story.case.review,
        passing(story.spec),
        story.evidence,
        story.spec,
        REVIEWED_ON,
        untouched=[story.case],
        says="người thẩm định không được là người tự đánh giá",
    )


def test_someone_whose_self_assessment_was_redone_by_another_cannot_review_the_case():
    household_member = Actor("u-household-member", Role.CITIZEN)
    story = given(*path_to("self_assessed"), self_assessed(actor=household_member))
    refused(
        SeparationOfDuties,
        CITIZEN,
        story.case.review,
        passing(story.spec),
        story.evidence,
        story.spec,
        REVIEWED_ON,
        untouched=[story.case],
        says="người thẩm định không được là người tự đánh giá",
    )


def test_the_self_assessor_cannot_sit_on_the_council():
    story = case_at("reviewed")
    error = refused(
        SeparationOfDuties,
        OFFICER,
        form_council,
        story,
        seats(CHAIR, CITIZEN),
        untouched=[story.case],
        says="thành viên hội đồng không được là người tự đánh giá hoặc thẩm định",
    )
    assert error.details["member_id"] == CITIZEN.id


def test_the_reviewer_cannot_sit_on_the_council():
    story = case_at("reviewed")
    refused(
        SeparationOfDuties,
        OFFICER,
        form_council,
        story,
        seats(REVIEWER, CHAIR),
        untouched=[story.case],
        says="thành viên hội đồng không được là người tự đánh giá hoặc thẩm định",
    )


def test_someone_who_revised_a_score_cannot_sit_on_the_council():
    story = given(*path_to("reviewed"), score_revised("1", 9, actor=MEMBER))
    refused(
        SeparationOfDuties,
        OFFICER,
        form_council,
        story,
        seats(CHAIR, MEMBER),
        untouched=[story.case],
        says="thành viên hội đồng không được là người tự đánh giá hoặc thẩm định",
    )


def test_a_council_member_cannot_revise_the_scores_the_council_appraises():
    story = case_at("council_formed")
    refused(
        SeparationOfDuties,
        CHAIR,
        story.case.revise_score,
        "1",
        Decimal(9),
        "Hội đồng chấm lại",
        story.spec,
        COUNCIL_FORMED_ON,
        untouched=[story.case],
        says="thành viên hội đồng không được điều chỉnh điểm mà hội đồng xét duyệt",
    )


# --- conflicts of interest at the council ---------------------------------------------------


def test_a_council_with_a_member_related_to_the_subject_who_did_not_declare_it_is_refused():
    story = case_at("reviewed")
    error = refused(
        ConflictOfInterest,
        OFFICER,
        form_council,
        story,
        seats(CHAIR, MEMBER),
        conflicted={MEMBER.id},
        untouched=[story.case],
        says="thành viên có quan hệ với đối tượng phải khai báo xung đột lợi ích",
    )
    assert error.details["member_id"] == MEMBER.id


def test_a_related_member_who_declared_the_conflict_may_sit_on_the_council():
    story = case_at("reviewed")
    members = seats(CHAIR, MEMBER, conflicts={MEMBER.id: "Cùng hộ gia đình"})
    when(OFFICER, form_council, story, members, conflicted={MEMBER.id})
    [event] = recorded(story.case)
    assert event.members[1] == {
        "user_id": MEMBER.id,
        "role": "member",
        "conflict": "Cùng hộ gia đình",
    }


def test_a_council_of_conflicted_members_only_is_refused():
    story = case_at("reviewed")
    members = seats(CHAIR, conflicts={CHAIR.id: "Cùng dòng họ"})
    refused(
        InvalidInput,
        OFFICER,
        form_council,
        story,
        members,
        untouched=[story.case],
        says="hội đồng cần ít nhất một thành viên không xung đột lợi ích",
    )


def test_declaring_a_conflict_needs_a_reason():
    story = case_at("council_formed")
    refused(
        ReasonRequired,
        MEMBER,
        story.case.declare_conflict,
        MEMBER.id,
        "",
        untouched=[story.case],
        says="cần nêu lý do",
    )


# --- who may record the appraisal -----------------------------------------------------------


def test_a_voting_council_member_records_the_appraisal():
    story = case_at("council_formed")
    when(MEMBER, appraise, story)
    [event] = recorded(story.case)
    assert names([event]) == ["Appraised"]
    assert event.actor_id == MEMBER.id


def test_only_a_council_member_may_record_the_appraisal():
    story = case_at("council_formed")
    refused(
        SeparationOfDuties,
        OUTSIDER,
        appraise,
        story,
        untouched=[story.case],
        says="chỉ thành viên hội đồng được ghi kết quả xét duyệt",
    )


def test_declaring_a_conflict_records_it_with_its_reason():
    story = case_at("council_formed")
    when(MEMBER, story.case.declare_conflict, MEMBER.id, "Là anh em ruột của người được đánh giá")
    [event] = recorded(story.case)
    assert names([event]) == ["ConflictDeclared"]
    assert (event.member_id, event.reason) == (MEMBER.id, "Là anh em ruột của người được đánh giá")


def test_a_member_who_declared_a_conflict_cannot_appraise():
    story = given(*path_to("council_formed"), conflict_declared(MEMBER))
    refused(ConflictOfInterest, MEMBER, appraise, story, untouched=[story.case], says=CONFLICTED)


def test_a_member_seated_with_a_declared_conflict_cannot_appraise():
    members = seats(CHAIR, MEMBER, conflicts={MEMBER.id: "Cùng hộ"})
    story = given(*path_to("reviewed"), council_formed(members))
    refused(ConflictOfInterest, MEMBER, appraise, story, untouched=[story.case], says=CONFLICTED)


def test_an_appraiser_related_to_the_subject_is_refused():
    story = case_at("council_formed")
    refused(
        ConflictOfInterest,
        CHAIR,
        appraise,
        story,
        actor_conflicted=True,
        untouched=[story.case],
        says=CONFLICTED,
    )


def test_votes_cannot_outnumber_the_members_entitled_to_vote():
    story = case_at("council_formed")
    refused(
        InvalidInput,
        CHAIR,
        appraise,
        story,
        votes_for=3,
        untouched=[story.case],
        says="số phiếu vượt quá số thành viên được biểu quyết",
    )


# --- who may sign ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "participant", [CITIZEN, REVIEWER, CHAIR, MEMBER], ids=lambda a: a.id.removeprefix("u-")
)
def test_a_signer_who_took_part_in_the_case_cannot_sign_its_decision(participant):
    story = case_at("appraised")
    error = refused(
        SeparationOfDuties,
        participant,
        decide,
        grant(story),
        untouched=[story.case],
        says="người ký không được là người tự đánh giá, thẩm định hoặc thành viên hội đồng",
    )
    assert error.details["signer_id"] == participant.id


def test_a_signer_who_only_revised_a_score_cannot_sign_its_decision():
    story = given(
        *path_to("reviewed"), score_revised("1", 9, actor=SIGNER), council_formed(), appraised()
    )
    error = refused(
        SeparationOfDuties,
        SIGNER,
        decide,
        grant(story),
        untouched=[story.case],
        says="người ký không được là người tự đánh giá, thẩm định hoặc thành viên hội đồng",
    )
    assert error.details["signer_id"] == SIGNER.id


def test_a_signer_cannot_decide_on_a_subject_of_their_own_household_clan_or_unit():
    story = case_at("appraised")
    refused(
        ConflictOfInterest,
        SIGNER,
        decide,
        grant(story),
        signer_conflicts={story.subject_id},
        untouched=[story.case],
        says="người ký không được ký quyết định cho hộ, dòng họ hoặc đơn vị của mình",
    )
