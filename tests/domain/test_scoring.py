"""Scores: bounds, completeness, evidence, computed totals and revisions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.errors import (
    EvidenceNotUsable,
    EvidenceRequired,
    InvalidInput,
    NotFound,
    ReasonRequired,
    ScoreOutOfRange,
    SeparationOfDuties,
    StepOutOfOrder,
    UnknownIndicator,
)
from domain.evaluation import evaluate, total_of
from tests.domain.helpers import (
    CDHT,
    CITIZEN,
    REVIEWED_ON,
    REVIEWER,
    SELF_ASSESSED_ON,
    TT22,
    case_at,
    codes,
    evidence_attached,
    evidence_id,
    evidence_superseded,
    given,
    names,
    opened,
    passing,
    publish,
    recorded,
    refused,
    reviewed,
    scores,
    seed_content,
    seed_spec,
    self_assessed,
    when,
)

REVISED_ON = REVIEWED_ON + timedelta(days=1)


def target_spec():
    """A small citizen set whose second indicator is a met / not-met target."""
    content = seed_content(CDHT)
    content["code"] = "test/target"
    content["criteria"] = [
        {
            "code": "I",
            "indicators": [
                {"code": "1", "name": "Đọc sách", "max_points": 10},
                {"code": "2", "name": "Có thẻ thư viện", "kind": "target"},
            ],
        }
    ]
    content["rules"] = {"min_total": 5}
    return publish(content).spec


def self_assess(story, given_scores):
    return when(CITIZEN, story.case.self_assess, given_scores, story.spec, SELF_ASSESSED_ON)


def refuse_self_assessment(error, story, given_scores):
    return refused(
        error,
        CITIZEN,
        story.case.self_assess,
        given_scores,
        story.spec,
        SELF_ASSESSED_ON,
        untouched=[story.case],
    )


# --- bounds ---------------------------------------------------------------------------------


def test_a_negative_score_is_refused():
    story = given(opened(), evidence_attached())
    error = refuse_self_assessment(
        ScoreOutOfRange, story, scores(story.spec, 8, {"3": Decimal(-1)})
    )
    assert error.details["indicator"] == "3"


def test_a_score_above_the_indicator_maximum_is_refused():
    story = given(opened(), evidence_attached())
    error = refuse_self_assessment(
        ScoreOutOfRange, story, scores(story.spec, 8, {"3": Decimal("10.5")})
    )
    assert error.details["max_points"] == "10"


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_a_score_that_is_not_a_finite_number_is_refused(value):
    story = given(opened(), evidence_attached())
    refuse_self_assessment(ScoreOutOfRange, story, scores(story.spec, 8, {"3": Decimal(value)}))


def test_a_score_at_the_indicator_maximum_is_accepted():
    story = given(opened(), evidence_attached())
    self_assess(story, scores(story.spec, 10))
    [event] = recorded(story.case)
    assert event.scores == scores(story.spec, 10)


def test_a_target_indicator_refuses_a_partial_score():
    story = given(opened(), evidence_attached(), spec=target_spec())
    refuse_self_assessment(ScoreOutOfRange, story, {"1": Decimal(7), "2": Decimal("0.5")})


def test_a_target_indicator_accepts_met_or_not_met():
    story = given(opened(), evidence_attached(), spec=target_spec())
    self_assess(story, {"1": Decimal(7), "2": Decimal(1)})
    [event] = recorded(story.case)
    assert event.scores == {"1": Decimal(7), "2": Decimal(1)}


def test_a_score_for_an_unknown_indicator_is_refused():
    story = given(opened(), evidence_attached())
    error = refuse_self_assessment(
        UnknownIndicator, story, {**passing(story.spec), "11": Decimal(5)}
    )
    assert error.details["indicator"] == "11"


def test_a_self_assessment_must_score_every_indicator():
    story = given(opened(), evidence_attached())
    partial = {code: Decimal(9) for code in codes(story.spec)[:-1]}
    error = refuse_self_assessment(InvalidInput, story, partial)
    assert error.details["missing"] == ["10"]


def test_a_review_must_score_every_indicator():
    story = case_at("self_assessed")
    partial = {code: Decimal(9) for code in codes(story.spec)[1:]}
    error = refused(
        InvalidInput,
        REVIEWER,
        story.case.review,
        partial,
        story.evidence,
        story.spec,
        REVIEWED_ON,
        untouched=[story.case],
        says="phải chấm đủ mọi chỉ số",
    )
    assert error.details["missing"] == ["1"]


def test_a_self_assessment_records_every_score_and_its_date():
    story = given(opened(), evidence_attached())
    self_assess(story, passing(story.spec))
    [event] = recorded(story.case)
    assert names([event]) == ["SelfAssessed"]
    assert event.scores == passing(story.spec)
    assert event.assessed_on == SELF_ASSESSED_ON


# --- evidence -------------------------------------------------------------------------------


def test_a_self_assessed_score_above_zero_needs_evidence():
    story = given(opened())
    error = refuse_self_assessment(EvidenceRequired, story, passing(story.spec))
    assert error.details["indicator"] == "1"


def test_evidence_for_other_indicators_does_not_support_a_score():
    story = given(opened(), evidence_attached(indicators=codes(seed_spec())[:-1]))
    error = refuse_self_assessment(EvidenceRequired, story, passing(story.spec))
    assert error.details["indicator"] == "10"


def test_a_score_of_zero_needs_no_evidence():
    story = given(opened())
    self_assess(story, scores(story.spec, 0))
    assert names(recorded(story.case)) == ["SelfAssessed"]


def test_superseded_evidence_no_longer_supports_a_score():
    story = given(opened(), evidence_attached(), evidence_superseded(1))
    refuse_self_assessment(EvidenceRequired, story, passing(story.spec))


def test_a_review_counts_only_the_evidence_the_reviewer_saw():
    story = case_at("self_assessed")
    refused(
        EvidenceRequired,
        REVIEWER,
        story.case.review,
        passing(story.spec),
        [],
        story.spec,
        REVIEWED_ON,
        untouched=[story.case],
        says="chỉ số 1 có điểm trên 0 cần ít nhất một minh chứng",
    )


def test_a_review_records_the_exact_evidence_set_seen():
    story = case_at("self_assessed")
    when(REVIEWER, story.case.review, passing(story.spec), story.evidence, story.spec, REVIEWED_ON)
    [event] = recorded(story.case)
    assert names([event]) == ["Reviewed"]
    assert event.evidence_seen == [evidence_id(1)]
    assert event.scores == passing(story.spec)


def test_a_review_cannot_cite_superseded_evidence():
    story = given(
        opened(),
        evidence_attached(number=1),
        evidence_attached(number=2),
        self_assessed(),
        evidence_superseded(1, replaced_by=2),
    )
    refused(
        EvidenceNotUsable,
        REVIEWER,
        story.case.review,
        passing(story.spec),
        [evidence_id(1)],
        story.spec,
        REVIEWED_ON,
        untouched=[story.case],
        says="minh chứng không có hoặc đã bị thay thế",
    )


def given_indicator_1_unsupported():
    """Reviewed at 0 on indicator 1, with evidence for every other indicator only."""
    spec = seed_spec()
    zero_on_1 = scores(spec, 9, {"1": 0})
    return given(
        opened(),
        evidence_attached(indicators=codes(spec)[1:]),
        self_assessed(zero_on_1),
        reviewed(),
    )


def test_a_revision_above_zero_needs_evidence():
    story = given_indicator_1_unsupported()
    refused(
        EvidenceRequired,
        REVIEWER,
        story.case.revise_score,
        "1",
        Decimal(6),
        "Bổ sung hoạt động đọc sách",
        story.spec,
        REVISED_ON,
        untouched=[story.case],
        says="chỉ số 1 có điểm trên 0 cần ít nhất một minh chứng",
    )


def test_a_revision_down_to_zero_needs_no_evidence():
    story = case_at("reviewed")
    when(
        REVIEWER,
        story.case.revise_score,
        "1",
        Decimal(0),
        "Minh chứng không đạt",
        story.spec,
        REVISED_ON,
    )
    assert names(recorded(story.case)) == ["ScoreRevised"]


# --- revisions ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_score_revision_needs_a_reason(reason):
    story = case_at("reviewed")
    refused(
        ReasonRequired,
        REVIEWER,
        story.case.revise_score,
        "1",
        Decimal(9),
        reason,
        story.spec,
        REVISED_ON,
        untouched=[story.case],
        says="cần nêu lý do",
    )


def test_the_self_assessor_cannot_revise_a_reviewed_score():
    story = case_at("reviewed")
    refused(
        SeparationOfDuties,
        CITIZEN,
        story.case.revise_score,
        "1",
        Decimal(9),
        "Tự điều chỉnh",
        story.spec,
        REVISED_ON,
        untouched=[story.case],
        says="người tự đánh giá không được điều chỉnh điểm thẩm định",
    )


def test_a_revision_records_the_previous_and_new_score_and_changes_the_final_scores():
    story = case_at("reviewed")
    when(
        REVIEWER,
        story.case.revise_score,
        "4",
        Decimal(10),
        "Có thêm minh chứng",
        story.spec,
        REVISED_ON,
    )
    [event] = recorded(story.case)
    assert (event.indicator, event.previous, event.score) == ("4", Decimal(8), Decimal(10))
    assert event.reason == "Có thêm minh chứng"
    assert event.revised_on == REVISED_ON
    assert story.case.final_scores["4"] == Decimal(10)
    assert story.case.review_scores["4"] == Decimal(8)


def test_a_score_cannot_be_revised_after_the_appraisal():
    story = case_at("appraised")
    refused(
        StepOutOfOrder,
        REVIEWER,
        story.case.revise_score,
        "4",
        Decimal(10),
        "Quá muộn",
        story.spec,
        REVISED_ON.replace(month=4),
        untouched=[story.case],
        says="không thể điều chỉnh điểm khi hồ sơ ở trạng thái 'appraised'",
    )


# --- totals are computed, never typed in ----------------------------------------------------


def verdict_of(spec_name, given_scores):
    return evaluate(seed_spec(spec_name), given_scores)


def test_the_total_is_the_sum_of_the_indicator_scores():
    spec = seed_spec(CDHT)
    given_scores = {code: Decimal(n) for n, code in enumerate(codes(spec), start=1)}
    assert total_of(spec, given_scores) == Decimal(55)


def test_a_score_for_an_indicator_outside_the_set_does_not_count_towards_the_total():
    spec = seed_spec(CDHT)
    assert total_of(spec, {**scores(spec, 8), "11": Decimal(10)}) == Decimal(80)


def test_a_cdht_total_of_80_with_every_indicator_at_least_5_passes():
    verdict = verdict_of(CDHT, scores(seed_spec(CDHT), 8))
    assert verdict.total == Decimal(80)
    assert verdict.passed


def test_a_cdht_total_of_79_fails_the_minimum_total():
    verdict = verdict_of(CDHT, scores(seed_spec(CDHT), 8, {"10": 7}))
    assert verdict.total == Decimal(79)
    assert [c.rule for c in verdict.failures] == ["min_total"]


def test_a_cdht_total_of_85_with_one_indicator_at_4_fails_the_indicator_floor():
    verdict = verdict_of(CDHT, scores(seed_spec(CDHT), 9, {"1": 4}))
    assert verdict.total == Decimal(85)
    assert [(c.rule, c.indicator) for c in verdict.failures] == [("indicator_floor", "1")]


def test_an_unscored_indicator_fails_the_all_scored_check():
    verdict = verdict_of(CDHT, {code: Decimal(10) for code in codes(seed_spec(CDHT))[:-1]})
    assert "all_scored" in [c.rule for c in verdict.failures]


def tt22_scores(total: str) -> dict[str, Decimal]:
    """TT22 scores adding up to ``total``: indicator 3.1 (max 25) takes the remainder."""
    spec = seed_spec(TT22)
    rest = Decimal(total) - Decimal(25)
    result = {code: Decimal(0) for code in codes(spec)}
    result["3.1"] = min(Decimal(total), Decimal(25))
    for indicator in spec.indicators:
        if indicator.code != "3.1" and rest > 0:
            result[indicator.code] = min(rest, indicator.max_points)
            rest -= result[indicator.code]
    return result


@pytest.mark.parametrize(
    ("total", "band"),
    [("85", "tot"), ("84.5", "kha"), ("70", "kha"), ("69", "trung_binh"), ("50", "trung_binh")],
)
def test_a_tt22_total_falls_in_the_band_whose_minimum_it_reaches(total, band):
    verdict = verdict_of(TT22, tt22_scores(total))
    assert verdict.total == Decimal(total)
    assert verdict.band is not None and verdict.band.code == band
    assert verdict.passed


def test_a_tt22_total_of_49_has_no_band_and_fails_the_band_check():
    verdict = verdict_of(TT22, tt22_scores("49"))
    assert verdict.total == Decimal(49)
    assert verdict.band is None
    assert [c.rule for c in verdict.failures] == ["band"]


cdht_score = st.one_of(st.integers(0, 20), st.integers(8, 20)).map(lambda n: Decimal(n) / 2)


@for_all(st.lists(cdht_score, min_size=10, max_size=10))
def test_a_cdht_verdict_passes_exactly_when_the_total_is_80_and_no_indicator_is_below_5(values):
    spec = seed_spec(CDHT)
    verdict = evaluate(spec, dict(zip(codes(spec), values, strict=True)))
    assert verdict.total == sum(values)
    assert verdict.passed == (sum(values) >= 80 and min(values) >= 5)


# --- each refusal says what is wrong, in full ---------------------------------------------

REFUSALS = {
    "negative": (
        {"3": Decimal(-1)},
        ScoreOutOfRange,
        "điểm chỉ số 3 phải trong khoảng 0..10",
        {"indicator": "3", "max_points": "10", "found": "-1"},
    ),
    "a hundredth above the maximum": (
        {"3": Decimal("10.01")},
        ScoreOutOfRange,
        "điểm chỉ số 3 phải trong khoảng 0..10",
        {"indicator": "3", "max_points": "10", "found": "10.01"},
    ),
    "not a number": (
        {"3": "tám"},
        ScoreOutOfRange,
        "điểm chỉ số 3 không phải là số",
        {"indicator": "3"},
    ),
    "infinite": (
        {"3": Decimal("Infinity")},
        ScoreOutOfRange,
        "điểm chỉ số 3 phải trong khoảng 0..10",
        {"indicator": "3", "max_points": "10", "found": "Infinity"},
    ),
    "unknown indicator": (
        {"11": Decimal(5)},
        UnknownIndicator,
        "chỉ số '11' không có trong bộ tiêu chí",
        {"indicator": "11"},
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_score_is_named_with_its_bound_and_what_was_found(case):
    overrides, error_type, message, details = case
    story = given(opened(), evidence_attached())
    error = refuse_self_assessment(error_type, story, {**scores(story.spec, 8), **overrides})
    assert (error.message, error.details) == (message, details)


def test_a_partial_target_and_a_missing_indicator_are_named():
    story = given(opened(), evidence_attached(), spec=target_spec())
    error = refuse_self_assessment(ScoreOutOfRange, story, {"1": Decimal(7), "2": Decimal("0.5")})
    assert (error.message, error.details) == (
        "chỉ số 2 chỉ nhận 1 (đạt) hoặc 0 (không đạt)",
        {"indicator": "2"},
    )
    error = refuse_self_assessment(InvalidInput, story, {"2": Decimal(1)})
    assert (error.message, error.details) == ("phải chấm đủ mọi chỉ số", {"missing": ["1"]})


def test_a_score_above_zero_without_evidence_is_named():
    story = given(opened(), evidence_attached(indicators=["1"]))
    error = refuse_self_assessment(EvidenceRequired, story, scores(story.spec, 8))
    assert (error.message, error.details) == (
        "chỉ số 2 có điểm trên 0 cần ít nhất một minh chứng",
        {"indicator": "2"},
    )


@pytest.mark.parametrize("zero", ["-0", "0.00", "-0.0"])
def test_every_spelling_of_zero_is_recorded_as_0(zero):
    story = given(opened(), evidence_attached())
    self_assess(story, scores(story.spec, 8, {"3": zero}))
    [event] = recorded(story.case)
    assert str(event.scores["3"]) == "0"


def test_superseding_an_evidence_id_the_case_never_had_is_not_found():
    story = given(opened(), evidence_attached())
    refused(
        NotFound,
        CITIZEN,
        story.case.supersede_evidence,
        evidence_id(9),
        None,
        "Tệp bị nhầm",
        untouched=[story.case],
        says="không có minh chứng này trong hồ sơ",
    )


def test_superseding_evidence_twice_is_refused_as_no_longer_usable():
    story = given(opened(), evidence_attached(), evidence_superseded(1))
    error = refused(
        EvidenceNotUsable,
        CITIZEN,
        story.case.supersede_evidence,
        evidence_id(1),
        None,
        "Tệp bị nhầm",
        untouched=[story.case],
        says="minh chứng đã bị thay thế",
    )
    assert error.details == {"evidence_id": str(evidence_id(1))}
