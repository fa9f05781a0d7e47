"""Level sets (TT 24/2023 style): a unit is recognised at the highest level it meets, and the
member share behind "≥ 90% of members hold Công dân học tập" is computed, never typed in.

Given events / when command / then events or error, on the illustrative seed set
``criteria-minh-hoa-dvht-tt24-2023.json`` (level 1: share ≥ 90; level 2: share ≥ 95 and
"Tập thể lao động tiên tiến").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.base import acting
from domain.criteria import CriteriaSet
from domain.errors import (
    ComputedIndicator,
    DateOutOfOrder,
    DomainError,
    InvalidCriteriaSet,
    InvalidInput,
    InvalidLevelSet,
    NotComputedIndicator,
    ThresholdNotMet,
)
from domain.evaluation import evaluate
from domain.glossary import IndicatorKind
from tests.domain.helpers import (
    ADMIN,
    CHAIR,
    CITIZEN,
    OFFICER,
    REVIEWER,
    SIGNER,
    Step,
    Story,
    council_formed,
    decide,
    evidence_attached,
    given,
    grant,
    opened,
    passing,
    publish,
    recorded,
    refuse,
    refused,
    reviewed,
    seed_content,
    seed_spec,
    self_assessed,
    when,
)

TT24 = "criteria-minh-hoa-dvht-tt24-2023.json"
SHARE = "3.1"
COMPUTED_ON = date(2025, 2, 4)

UNMET = "không thể đề nghị công nhận khi chưa đạt ngưỡng của bộ tiêu chí"


def spec():
    return seed_spec(TT24)


def targets_met(**overrides: int) -> dict[str, Decimal]:
    """Every target met (1), except ``overrides`` (e.g. ``{"3.2": 0}`` via ``**{...}``)."""
    scores = {i.code: Decimal(1) for i in spec().indicators if i.kind is IndicatorKind.TARGET}
    scores.update({code: Decimal(value) for code, value in overrides.items()})
    return scores


def member_share(numerator: int, denominator: int = 10_000, on: date = COMPUTED_ON) -> Step:
    def run(story: Story) -> None:
        story.case.record_member_share(
            indicator=SHARE,
            numerator=numerator,
            denominator=denominator,
            log_position=4242,
            spec=story.spec,
            on=on,
        )

    return Step("member_share_computed", OFFICER, run, on)


def at_council(numerator: int, **target_overrides: int) -> Story:
    non_computed = [i.code for i in spec().indicators if i.computed is None]
    return given(
        opened(),
        evidence_attached(non_computed),
        self_assessed(targets_met(**target_overrides)),
        member_share(numerator),
        reviewed(),
        council_formed(),
        spec=spec(),
    )


def appraise(story: Story, recommended: bool = True) -> Any:
    return story.case.appraise(
        recommended=recommended,
        votes_for=2 if recommended else 0,
        votes_against=0 if recommended else 2,
        remarks=None,
        spec=story.spec,
        on=date(2025, 2, 26),
        actor_conflicted=False,
    )


def record_share(story: Story, indicator: str = SHARE, on: date = COMPUTED_ON, **counts: int):
    story.case.record_member_share(
        indicator=indicator,
        numerator=counts.get("numerator", 9_000),
        denominator=counts.get("denominator", 10_000),
        log_position=counts.get("log_position", 4242),
        spec=story.spec,
        on=on,
    )


# --- the highest level met -----------------------------------------------------------------


def test_a_unit_meeting_every_target_of_level_2_is_appraised_and_granted_at_level_2():
    story = at_council(9_600)
    verdict = when(CHAIR, appraise, story)
    [appraisal] = recorded(story.case)
    assert (appraisal.level, appraisal.thresholds_passed) == (2, True)
    assert verdict.as_dict()["level"] == 2
    decision = when(SIGNER, decide, grant(story))
    events = recorded(story.case, decision)
    [granted] = [e for e in events if type(e).__name__ == "TitleGranted"]
    assert granted.level == 2
    [entry] = decision.entries
    assert entry["level"] == 2


def test_validity_of_a_level_grant_comes_from_the_set_three_years():
    story = at_council(9_600)
    when(CHAIR, appraise, story)
    recorded(story.case)
    when(SIGNER, decide, grant(story))
    [granted] = [e for e in recorded(story.case) if type(e).__name__ == "TitleGranted"]
    assert spec().rules.validity_years == 3
    assert granted.valid_until.year - granted.valid_from.year == 3


def test_a_unit_short_of_a_level_2_target_is_recognised_at_level_1():
    story = at_council(9_600, **{"3.2": 0})
    when(CHAIR, appraise, story)
    [appraisal] = recorded(story.case)
    assert appraisal.level == 1


def test_a_unit_meeting_no_level_cannot_be_recommended():
    story = at_council(8_999)
    error = refused(ThresholdNotMet, CHAIR, appraise, story, untouched=[story.case], says=UNMET)
    assert [f["rule"] for f in error.details["failures"]] == ["level"]


def test_a_unit_meeting_no_level_is_appraised_as_not_recommended_with_no_level():
    story = at_council(8_999)
    verdict = when(CHAIR, appraise, story, recommended=False)
    [appraisal] = recorded(story.case)
    assert (appraisal.level, appraisal.thresholds_passed) == (None, False)
    assert verdict.as_dict()["level"] is None
    assert verdict.as_dict()["level_label"] is None


def test_a_level_set_without_the_computed_share_meets_no_level():
    verdict = evaluate(spec(), targets_met())
    assert verdict.level is None and not verdict.passed
    assert {c.rule for c in verdict.failures} == {"all_scored", "level"}


# --- boundaries: exactly at each level's threshold, and one hundredth below -----------------


@pytest.mark.parametrize(
    ("numerator", "share", "level"),
    [
        (9_500, "95.00", 2),
        (9_499, "94.99", 1),
        (9_000, "90.00", 1),
        (8_999, "89.99", None),
    ],
)
def test_each_level_is_met_exactly_at_its_threshold_and_not_one_hundredth_below(
    numerator: int, share: str, level: int | None
):
    story = at_council(numerator)
    assert story.case.computed_scores[SHARE] == Decimal(share)
    assert story.case.verdict(story.spec).level == (
        None if level is None else story.spec.rules.levels[level - 1]
    )


def test_a_share_is_rounded_down_never_up_into_a_threshold():
    story = given(opened(), spec=spec())
    when(OFFICER, record_share, story, numerator=8_999_999, denominator=10_000_000)
    [event] = recorded(story.case)
    assert event.share == Decimal("89.99")


# --- the computed member share ---------------------------------------------------------------


def test_a_member_share_is_recorded_with_its_inputs_period_and_log_position():
    story = given(opened(), spec=spec())
    when(OFFICER, record_share, story, numerator=45, denominator=50, log_position=812)
    [event] = recorded(story.case)
    assert type(event).__name__ == "MemberShareComputed"
    assert (event.indicator, event.title, event.share) == (SHARE, "cong_dan_hoc_tap", Decimal(90))
    assert (event.numerator, event.denominator, event.log_position) == (45, 50, 812)
    assert (event.data_period_start, event.data_period_end, event.as_of) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        date(2024, 12, 31),
    )
    assert event.effective_date == date(2024, 12, 31)


def test_a_member_share_event_carries_counts_and_ids_only():
    story = given(opened(), spec=spec())
    when(OFFICER, record_share, story)
    [event] = recorded(story.case)
    own = set(vars(event)) - {"originator_id", "originator_version", "timestamp"}
    assert not own & {"name", "names", "cccd", "member_names", "members"}


def test_a_computed_indicator_cannot_be_self_assessed_by_hand():
    story = given(opened(), spec=spec())
    error = refused(
        ComputedIndicator,
        CITIZEN,
        story.case.self_assess,
        targets_met() | {SHARE: Decimal(95)},
        story.spec,
        date(2025, 2, 3),
        untouched=[story.case],
        says="chỉ số 3.1 được tính từ sổ đăng ký danh hiệu, không chấm tay",
    )
    assert error.code == "computed-indicator"
    assert error.details["indicator"] == SHARE


def test_a_computed_indicator_cannot_be_revised_by_hand():
    story = given(
        opened(),
        evidence_attached([i.code for i in spec().indicators if i.computed is None]),
        self_assessed(targets_met()),
        reviewed(),
        spec=spec(),
    )
    refused(
        ComputedIndicator,
        REVIEWER,
        story.case.revise_score,
        SHARE,
        Decimal(99),
        "Sửa tay",
        story.spec,
        date(2025, 2, 11),
        untouched=[story.case],
        says="chỉ số 3.1 được tính từ sổ đăng ký danh hiệu, không chấm tay",
    )


def test_a_figure_for_an_indicator_people_score_is_refused():
    story = given(opened(), spec=spec())
    refused(
        NotComputedIndicator,
        OFFICER,
        record_share,
        story,
        indicator="3.2",
        untouched=[story.case],
        says="chỉ số 3.2 không phải chỉ số tỷ lệ thành viên được tính",
    )


def test_a_member_share_is_not_computed_before_the_data_period_ends():
    story = given(opened(date(2024, 6, 1)), spec=spec())
    refused(
        DateOutOfOrder,
        OFFICER,
        record_share,
        story,
        on=date(2024, 12, 31),
        untouched=[story.case],
        says="chỉ tính tỷ lệ sau khi kỳ số liệu kết thúc",
    )


@pytest.mark.parametrize(
    "counts",
    [{"denominator": 0, "numerator": 0}, {"numerator": 11, "denominator": 10}, {"numerator": -1}],
)
def test_impossible_counts_are_refused(counts: dict[str, int]):
    story = given(opened(), spec=spec())
    refused(
        InvalidInput,
        OFFICER,
        record_share,
        story,
        untouched=[story.case],
        **counts,
        says="số thành viên, số đạt danh hiệu hoặc vị trí sổ cái không hợp lệ",
    )


def test_the_latest_member_share_is_the_one_the_rules_read():
    story = given(opened(), member_share(9_000), member_share(9_600), spec=spec())
    assert story.case.scores[SHARE] == Decimal(96)


# --- validating level sets on publish ----------------------------------------------------------


def level_content(levels: Any) -> dict[str, Any]:
    content = seed_content(TT24)
    content["code"] = "TEST/LEVELS"
    content["rules"]["levels"] = levels
    return content


L1 = {"level": 1, "minimums": {"1.1": 1, "3.1": 90}}


@pytest.mark.parametrize(
    ("levels", "problem"),
    [
        ([], "levels-empty"),
        ([{**L1, "level": 2}], "level-order"),
        ([L1, {"level": 3, "minimums": {"3.1": 95}}], "level-order"),
        ([{"level": 1, "minimums": {}}], "level-no-targets"),
        ([{"level": 1, "minimums": {"9.9": 1}}], "level-unknown-indicator"),
        ([{"level": 1, "minimums": {"3.1": 101}}], "level-minimum-out-of-range"),
        ([{"level": 1, "minimums": {"1.1": 2}}], "level-minimum-out-of-range"),
        ([L1, {"level": 2, "minimums": {"1.1": 1, "3.1": 85}}], "level-weaker-than-below"),
        ([L1, {"level": 2, "minimums": {"3.1": 95}}], "level-weaker-than-below"),
        (["mức 1"], "level-shape"),
    ],
)
def test_a_bad_level_set_is_refused_on_publish_naming_the_problem(levels: Any, problem: str):
    error = refused(InvalidLevelSet, ADMIN, CriteriaSet.publish, level_content(levels), 1, None)
    assert error.code == "invalid-level-set"
    assert error.details["problem"] == problem


def refused_publication(content: dict[str, Any], says: str) -> DomainError:
    """Publishing ``content`` is refused as an invalid criteria set that ``says`` why."""
    return refused(InvalidCriteriaSet, ADMIN, CriteriaSet.publish, content, 1, None, says=says)


def test_a_share_indicator_must_say_how_it_is_computed():
    content = seed_content(TT24)
    del content["criteria"][2]["indicators"][0]["computed"]
    error = refused_publication(
        content,
        "criteria[2].indicators[0]: chỉ số tỷ lệ (share) phải được tính (computed), và ngược lại",
    )
    assert error.details["problem"] == "computed-kind"


def test_an_unknown_computed_measure_is_refused():
    content = seed_content(TT24)
    content["criteria"][2]["indicators"][0]["computed"] = {"measure": "guess", "title": "x"}
    error = refused_publication(
        content, "criteria[2].indicators[0].computed: cần measure là một trong member_share"
    )
    assert error.details["problem"] == "computed-measure"


def test_the_illustrative_level_set_publishes_with_validity_from_its_data():
    published = publish(seed_content(TT24)).spec
    assert published.illustrative and "MINH HỌA" in published.title
    assert [lv.number for lv in published.rules.levels] == [1, 2]
    assert published.rules.validity_years == 3


def test_sets_without_levels_report_no_level_in_their_verdict():
    cdht = seed_spec()
    assert "level" not in evaluate(cdht, passing(cdht)).as_dict()


def test_a_unit_meeting_no_level_is_refused_with_no_level_in_the_decision_s_entry():
    story = at_council(8_999)
    with acting(CHAIR.context("given-appraised")):
        appraise(story, recommended=False)
    recorded(story.case)
    decision = when(SIGNER, decide, refuse(story))
    [entry] = decision.entries
    assert (entry["outcome"], entry["level"]) == ("refused", None)
