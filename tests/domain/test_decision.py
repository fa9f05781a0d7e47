"""The council's appraisal, the recognition decision, and who may sign it when."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.base import MissingCommandContext, ledger_id
from domain.decision import add_years, decision_id_for, issue_decision, validity
from domain.errors import (
    AuthorityNotCompetent,
    ConflictOfInterest,
    DateOutOfOrder,
    InvalidInput,
    ReasonRequired,
    RuleViolation,
    SeparationOfDuties,
    StepOutOfOrder,
    ThresholdNotMet,
)
from domain.glossary import Role, UnitLevel
from tests.domain.helpers import (
    APPRAISED_ON,
    CHAIR,
    DECIDED_ON,
    SIGNER,
    TT22,
    Actor,
    Story,
    case_at,
    commune,
    decide,
    decided,
    district,
    establish,
    given,
    grant,
    granted_story,
    names,
    path_to,
    province,
    recorded,
    refuse,
    refused,
    run_step,
    scores,
    seed_spec,
    variant_spec,
    village,
    when,
)

DAY = timedelta(days=1)
SYSTEM = Actor("system:expiry", Role.ADMINISTRATOR)
FAILING = scores(seed_spec(), 9, {"1": 4})  # total 85, indicator 1 under the floor of 5

UNMET = "không thể đề nghị công nhận khi chưa đạt ngưỡng của bộ tiêu chí"

NOT_RECOMMENDED = "chỉ công nhận hồ sơ đạt ngưỡng và được hội đồng đề nghị"


def appraise(story: Story, recommended: bool = True):
    return story.case.appraise(
        recommended=recommended,
        votes_for=2 if recommended else 0,
        votes_against=0 if recommended else 2,
        remarks=None,
        spec=story.spec,
        on=APPRAISED_ON,
        actor_conflicted=False,
    )


# --- the appraisal is evaluated from the pinned set ----------------------------------------


def test_an_appraisal_records_the_computed_total_and_classification():
    spec = seed_spec(TT22)
    tt22_scores = scores(spec, 0, {"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 10, "3.1": "24.5"})
    story = case_at("council_formed", spec=spec, given_scores=tt22_scores)
    when(CHAIR, appraise, story)
    [event] = recorded(story.case)
    assert names([event]) == ["Appraised"]
    assert (event.total, event.classification) == (Decimal("64.5"), "trung_binh")
    assert event.thresholds_passed and event.recommended


def test_recommending_a_case_below_the_threshold_is_refused():
    story = case_at("council_formed", given_scores=FAILING)
    error = refused(ThresholdNotMet, CHAIR, appraise, story, untouched=[story.case], says=UNMET)
    assert [f["rule"] for f in error.details["failures"]] == ["indicator_floor"]


def test_a_case_below_the_threshold_can_be_appraised_as_not_recommended():
    story = case_at("council_formed", given_scores=FAILING)
    when(CHAIR, appraise, story, recommended=False)
    [event] = recorded(story.case)
    assert (event.total, event.thresholds_passed, event.recommended) == (Decimal(85), False, False)


# --- granting -------------------------------------------------------------------------------


def test_granting_records_the_decision_and_a_title_valid_for_one_year():
    story = case_at("appraised")
    decision = when(SIGNER, decide, grant(story))
    [issued] = recorded(decision)
    [granted] = recorded(story.case)
    assert names([issued, granted]) == ["Issued", "TitleGranted"]
    assert (granted.decision_id, granted.decision_number) == (decision.id, "12/QĐ-UBND")
    assert (granted.valid_from, granted.valid_until) == (DECIDED_ON, date(2026, 3, 1))
    assert granted.total == Decimal(80)
    assert issued.entries[0]["outcome"] == "granted"


def test_a_title_past_its_validity_is_recorded_as_expired_from_the_next_day():
    story = granted_story()  # valid until 2026-03-01
    assert not story.case.title_lapsed_by(date(2026, 3, 1))

    when(SYSTEM, story.case.expire_title, date(2026, 3, 5))

    [expired] = recorded(story.case)
    assert names([expired]) == ["TitleExpired"]
    assert expired.expired_on == expired.effective_date == date(2026, 3, 2)
    assert (expired.actor_id, expired.reason) == (
        "system:expiry",
        "hết thời hạn hiệu lực của danh hiệu",
    )
    assert not story.case.title_lapsed_by(date(2026, 3, 5))  # recorded once


def test_a_title_still_valid_or_already_expired_is_not_expired_again():
    story = granted_story()
    refused(
        RuleViolation, SYSTEM, story.case.expire_title, date(2026, 3, 1), untouched=[story.case]
    )
    when(SYSTEM, story.case.expire_title, date(2026, 3, 2))
    story.case.collect_events()
    refused(
        RuleViolation, SYSTEM, story.case.expire_title, date(2027, 1, 1), untouched=[story.case]
    )
    refusal = case_at("appraised")
    refused(StepOutOfOrder, SYSTEM, refusal.case.expire_title, date(2030, 1, 1))


def test_a_title_under_a_three_year_set_is_valid_until_the_day_before_the_third_anniversary():
    story = case_at("appraised", spec=variant_spec(suffix="3-nam", validity_years=3))
    when(SIGNER, decide, grant(story))
    [granted] = recorded(story.case)
    assert (granted.valid_from, granted.valid_until) == (DECIDED_ON, date(2028, 3, 1))


def test_granting_a_case_the_council_did_not_recommend_is_refused():
    story = case_at("appraised", recommended=False)
    refused(
        ThresholdNotMet, SIGNER, decide, grant(story), untouched=[story.case], says=NOT_RECOMMENDED
    )


def test_granting_a_case_that_failed_the_thresholds_is_refused():
    story = case_at("appraised", given_scores=FAILING, recommended=False)
    error = refused(
        ThresholdNotMet, SIGNER, decide, grant(story), untouched=[story.case], says=NOT_RECOMMENDED
    )
    assert error.details["failures"][0]["indicator"] == "1"


# --- refusing -------------------------------------------------------------------------------


def test_refusing_a_recommended_case_that_passed_needs_a_reason():
    story = case_at("appraised")
    refused(
        ReasonRequired,
        SIGNER,
        decide,
        refuse(story),
        untouched=[story.case],
        says="hồ sơ đạt ngưỡng và được đề nghị: từ chối công nhận cần nêu lý do",
    )


def test_refusing_a_recommended_case_that_passed_with_a_blank_reason_is_refused():
    story = case_at("appraised")
    refused(
        ReasonRequired,
        SIGNER,
        decide,
        refuse(story, "   "),
        untouched=[story.case],
        says="hồ sơ đạt ngưỡng và được đề nghị: từ chối công nhận cần nêu lý do",
    )


def test_refusing_a_recommended_case_that_passed_records_the_reason_given():
    story = case_at("appraised")
    when(SIGNER, decide, refuse(story, "Có đơn tố cáo đang xác minh"))
    [event] = recorded(story.case)
    assert names([event]) == ["RecognitionRefused"]
    assert event.reason == "Có đơn tố cáo đang xác minh"


def test_refusing_a_failed_case_names_the_failed_rules_as_its_reason():
    story = case_at("appraised", given_scores=FAILING, recommended=False)
    when(SIGNER, decide, refuse(story))
    [event] = recorded(story.case)
    assert names([event]) == ["RecognitionRefused"]
    assert event.reason.startswith("indicator_floor 1: cần >= 5, đạt 4")
    assert "hội đồng không đề nghị công nhận" in event.reason


def test_refusing_a_passed_case_the_council_did_not_recommend_says_so():
    story = case_at("appraised", recommended=False)
    when(SIGNER, decide, refuse(story))
    [event] = recorded(story.case)
    assert event.reason == "hội đồng không đề nghị công nhận"


# --- when a decision can be taken -----------------------------------------------------------


def test_a_decision_on_a_case_not_yet_appraised_is_refused():
    story = case_at("council_formed")
    refused(
        StepOutOfOrder,
        SIGNER,
        decide,
        grant(story),
        untouched=[story.case],
        says="không thể ra quyết định khi hồ sơ ở trạng thái 'council_formed'",
    )


def test_a_decision_dated_before_the_appraisal_is_refused():
    story = case_at("appraised")
    refused(
        DateOutOfOrder,
        SIGNER,
        decide,
        grant(story),
        on=APPRAISED_ON - DAY,
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_a_decision_that_fails_for_one_case_records_nothing_for_any_case():
    ready = case_at("appraised")
    not_ready = case_at("council_formed", subject_id=ledger_id("test-subject", 2))
    refused(
        StepOutOfOrder,
        SIGNER,
        decide,
        grant(ready),
        grant(not_ready),
        untouched=[ready.case, not_ready.case],
        says="không thể ra quyết định khi hồ sơ ở trạng thái 'council_formed'",
    )
    assert ready.case.status == "appraised"


def test_a_district_cannot_sign_a_decision_dated_1_july_2025():
    story = case_at("appraised")
    error = refused(
        AuthorityNotCompetent,
        SIGNER,
        decide,
        grant(story),
        on=date(2025, 7, 1),
        unit=district(),
        untouched=[story.case],
        says="từ ngày 01/07/2025 không còn cấp huyện: người ký cấp huyện không có thẩm quyền",
    )
    assert error.details == {"authority_level": "district", "decided_on": "2025-07-01"}


def test_a_district_decision_dated_30_june_2025_is_accepted():
    story = case_at("appraised")
    decision = when(SIGNER, decide, grant(story), on=date(2025, 6, 30), unit=district())
    [issued] = recorded(decision)
    assert issued.authority_level == "district"
    assert names(recorded(story.case)) == ["TitleGranted"]


def test_a_village_cannot_be_the_deciding_authority():
    story = case_at("appraised")
    refused(
        AuthorityNotCompetent,
        SIGNER,
        decide,
        grant(story),
        unit=village(),
        untouched=[story.case],
        says="thôn, tổ dân phố không phải cấp ra quyết định công nhận",
    )


def test_an_authority_cannot_decide_a_case_outside_its_territory():
    story = case_at("appraised")
    error = refused(
        AuthorityNotCompetent,
        SIGNER,
        decide,
        grant(story),
        outside_territory=[story.case.id],
        untouched=[story.case],
        says="Đơn vị X01 không có thẩm quyền với hồ sơ ngoài địa bàn của mình",
    )
    assert error.details["case_ids"] == [str(story.case.id)]


# --- every event says who, in which role, for which request, and when ----------------------

LIFECYCLE = [*path_to("appraised", notice=True), decided()]


@pytest.mark.parametrize("index", range(len(LIFECYCLE)), ids=[s.name for s in LIFECYCLE])
def test_every_event_carries_the_acting_context_and_the_date_of_its_step(index):
    spec = variant_spec(suffix="niem-yet", public_notice_required=True, notice_days=10)
    story = given(*LIFECYCLE[:index], spec=spec)
    step = LIFECYCLE[index]
    aggregates = run_step(story, step, correlation_id="corr-42")
    events = recorded(*aggregates)
    assert events
    for event in events:
        assert (event.actor_id, event.actor_role) == (step.actor.id, step.actor.role.value)
        assert event.correlation_id == "corr-42"
        assert event.effective_date == step.on


def test_a_command_outside_a_command_context_is_refused():
    story = case_at("council_formed")
    with pytest.raises(MissingCommandContext):
        appraise(story)
    assert recorded(story.case) == []


# --- the competent level: a village-level title is recognised by the commune -----------------

FAMILY = "criteria-minh-hoa-gdht.json"


@pytest.mark.parametrize("above", [province, district], ids=["province", "district"])
def test_a_unit_above_the_commune_cannot_recognise_a_learning_family(above):
    story = case_at("appraised", spec=seed_spec(FAMILY), notice=True)
    ruling = grant(story)  # decided on 2 March 2025, before the district level ended
    error = refused(
        AuthorityNotCompetent, SIGNER, decide, ruling, unit=above(), untouched=[ruling.case]
    )
    assert error.details["competent_level"] == "commune"
    assert error.details["case_ids"] == [str(story.case.id)]


def test_the_commune_recognises_a_learning_family():
    story = case_at("appraised", spec=seed_spec(FAMILY), notice=True)
    [issued] = recorded(when(SIGNER, decide, grant(story)))
    assert issued.authority_level == "commune"


def test_a_province_still_decides_a_learning_unit_whose_managing_level_is_not_registered():
    story = case_at("appraised", spec=seed_spec(TT22))
    [issued] = recorded(when(SIGNER, decide, grant(story), unit=province()))
    assert issued.authority_level == "province"


# --- what a decision records ------------------------------------------------------------------


def test_a_decision_records_who_signed_for_which_authority_on_what_basis():
    story = case_at("appraised")
    decision = when(SIGNER, decide, grant(story))
    [issued] = recorded(decision)
    authority = commune()
    assert decision.id == decision_id_for(authority.id, "12/QĐ-UBND")
    assert str(decision.id) == "43dc8b80-8747-5344-b245-ee8a3e7eebe3"  # a known answer
    assert (issued.number, issued.decided_on, issued.effective_date) == (
        "12/QĐ-UBND",
        DECIDED_ON,
        DECIDED_ON,
    )
    assert (issued.signer_id, issued.signer_title) == (SIGNER.id, "Chủ tịch UBND xã")
    assert (issued.authority_name, issued.authority_level) == ("UBND xã", "commune")
    assert (issued.authority_unit_id, issued.legal_basis) == (authority.id, "244/QĐ-KHVN")
    assert issued.amends is None
    assert issued.entries == [
        {
            "case_id": str(story.case.id),
            "subject_id": str(story.case.subject_id),
            "model": "cong_dan_hoc_tap",
            "outcome": "granted",
            "total": "80.0",
            "classification": None,
            "reason": None,
            "valid_from": "2025-03-02",
            "valid_until": "2026-03-01",
        }
    ]
    assert (decision.number, decision.decided_on, decision.amends) == (
        "12/QĐ-UBND",
        DECIDED_ON,
        None,
    )
    assert (decision.signer_id, decision.signer_title) == (SIGNER.id, "Chủ tịch UBND xã")
    assert (decision.authority_name, decision.authority_level) == ("UBND xã", UnitLevel.COMMUNE)
    assert (decision.authority_unit_id, decision.legal_basis) == (authority.id, "244/QĐ-KHVN")
    assert decision.entries == issued.entries


def test_a_refusal_s_entry_gives_the_failed_rules_as_its_reason():
    story = case_at("appraised", given_scores=FAILING, recommended=False)
    decision = when(SIGNER, decide, refuse(story))
    [issued] = recorded(decision)
    [refusal] = recorded(story.case)
    reason = "indicator_floor 1: cần >= 5, đạt 4; hội đồng không đề nghị công nhận"
    assert issued.entries[0] | {"case_id": "-", "subject_id": "-"} == {
        "case_id": "-",
        "subject_id": "-",
        "model": "cong_dan_hoc_tap",
        "outcome": "refused",
        "total": "85",
        "classification": None,
        "reason": reason,
    }
    assert (refusal.decision_id, refusal.decision_number) == (decision.id, "12/QĐ-UBND")
    assert (refusal.decided_on, refusal.reason, refusal.effective_date) == (
        DECIDED_ON,
        reason,
        DECIDED_ON,
    )


@pytest.mark.parametrize(
    ("day", "years", "anniversary"),
    [
        (date(2024, 2, 29), 1, date(2025, 3, 1)),  # no 29 February in 2025
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2025, 3, 2), 2, date(2027, 3, 2)),
    ],
)
def test_a_title_s_anniversary_falls_on_1_march_when_there_is_no_29_february(
    day, years, anniversary
):
    assert add_years(day, years) == anniversary
    assert validity(day, years) == (day, anniversary - timedelta(days=1))


def test_a_unit_not_yet_established_on_the_decision_date_cannot_decide():
    story = case_at("appraised")
    later = establish("X09", UnitLevel.COMMUNE, province(), valid_from=date(2025, 3, 3))
    error = refused(
        AuthorityNotCompetent,
        SIGNER,
        decide,
        grant(story),
        unit=later,
        untouched=[story.case],
        says="đơn vị ra quyết định không còn hiệu lực vào ngày quyết định",
    )
    assert error.details == {"authority_unit_id": str(later.id), "decided_on": "2025-03-02"}
    on_its_first_day = establish("X08", UnitLevel.COMMUNE, province(), valid_from=DECIDED_ON)
    assert names(recorded(when(SIGNER, decide, grant(story), unit=on_its_first_day))) == ["Issued"]


@pytest.mark.parametrize(("number", "basis"), [(" ", "244/QĐ-KHVN"), ("12/QĐ-UBND", " ")])
def test_a_decision_needs_its_number_and_legal_basis(number, basis):
    story = case_at("appraised")

    def issue():
        return issue_decision(
            number=number,
            decided_on=DECIDED_ON,
            signer_id=SIGNER.id,
            signer_title="Chủ tịch UBND xã",
            authority_name="UBND xã",
            authority_unit=commune(),
            legal_basis=basis,
            rulings=[grant(story)],
            signer_conflicts=set(),
        )

    error = refused(
        InvalidInput,
        SIGNER,
        issue,
        untouched=[story.case],
        says="cần số quyết định và căn cứ pháp lý",
    )
    assert error.details == {"field": "number"}


def test_a_decision_rules_on_at_least_one_case_and_on_each_case_once():
    story = case_at("appraised")
    empty = refused(InvalidInput, SIGNER, decide, says="quyết định phải gồm ít nhất một hồ sơ")
    assert empty.details == {"field": "cases"}
    twice = refused(
        InvalidInput,
        SIGNER,
        decide,
        grant(story),
        grant(story),
        untouched=[story.case],
        says="một hồ sơ xuất hiện hai lần trong quyết định",
    )
    assert twice.details == {"field": "cases"}


# --- the evidence of each refusal, and what a grant under bands records -----------------------


def test_an_authority_outside_its_territory_is_named_with_the_cases_in_the_refusal():
    story = case_at("appraised")
    unit = commune()
    error = refused(
        AuthorityNotCompetent,
        SIGNER,
        decide,
        grant(story),
        unit=unit,
        outside_territory=[story.case.id],
        untouched=[story.case],
    )
    assert error.details == {"authority_unit_id": str(unit.id), "case_ids": [str(story.case.id)]}


def test_a_province_refused_a_learning_family_is_told_the_competent_level_in_full():
    story = case_at("appraised", spec=seed_spec(FAMILY), notice=True)
    error = refused(
        AuthorityNotCompetent,
        SIGNER,
        decide,
        grant(story),
        unit=province(),
        untouched=[story.case],
        says="Gia đình học tập, Dòng họ học tập và Cộng đồng học tập cấp thôn do cấp xã công nhận:"
        " Đơn vị T01 không phải cấp có thẩm quyền",
    )
    assert error.details == {
        "authority_level": "province",
        "competent_level": "commune",
        "case_ids": [str(story.case.id)],
    }


def test_a_signer_who_sat_on_the_council_is_refused_naming_the_case_and_the_signer():
    story = case_at("appraised")
    error = refused(
        SeparationOfDuties,
        CHAIR,
        decide,
        grant(story),
        untouched=[story.case],
        says="người ký không được là người tự đánh giá, thẩm định hoặc thành viên hội đồng",
    )
    assert error.details == {"case_id": str(story.case.id), "signer_id": CHAIR.id}


def test_a_signer_deciding_for_their_own_household_is_refused_naming_the_case():
    story = case_at("appraised")
    error = refused(
        ConflictOfInterest,
        SIGNER,
        decide,
        grant(story),
        signer_conflicts=[story.case.subject_id],
        untouched=[story.case],
        says="người ký không được ký quyết định cho hộ, dòng họ hoặc đơn vị của mình",
    )
    assert error.details == {"case_id": str(story.case.id)}


def test_granting_a_case_not_recommended_is_refused_with_the_case_and_the_council_s_word():
    story = case_at("appraised", recommended=False)
    error = refused(
        ThresholdNotMet, SIGNER, decide, grant(story), untouched=[story.case], says=NOT_RECOMMENDED
    )
    assert error.details == {"case_id": str(story.case.id), "recommended": False, "failures": []}


def test_a_refusal_without_a_reason_names_the_case():
    story = case_at("appraised")
    error = refused(ReasonRequired, SIGNER, decide, refuse(story), untouched=[story.case])
    assert error.details == {"case_id": str(story.case.id)}


def test_a_refusal_for_a_rule_of_the_whole_set_names_the_rule_alone():
    story = case_at("appraised", given_scores=scores(seed_spec(), 7), recommended=False)
    when(SIGNER, decide, refuse(story))
    [event] = recorded(story.case)
    assert event.reason == "min_total: cần >= 80, đạt 70; hội đồng không đề nghị công nhận"


def test_a_grant_under_a_set_with_bands_records_the_band_in_the_entry_and_the_title():
    spec = seed_spec(TT22)
    tt22_scores = scores(spec, 0, {"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 10, "3.1": "24.5"})
    story = case_at("appraised", spec=spec, given_scores=tt22_scores)
    decision = when(SIGNER, decide, grant(story))
    [granted] = recorded(story.case)
    assert decision.entries[0]["classification"] == "trung_binh"
    assert granted.classification == "trung_binh"
