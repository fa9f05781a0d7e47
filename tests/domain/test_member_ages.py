"""Member shares with an age filter: "thành viên từ đủ 15 tuổi trở lên đạt Công dân học tập".

Given events / when command / then events or error. The set is the illustrative TT 24/2023
level set with its member share (3.1) limited to members aged 15 or over; publishing checks
the age, the case records the filter and its counts (never a birth date), and a person's
own case has no members to count.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.criteria import CriteriaSet
from domain.dates import age_reached
from domain.errors import InvalidCriteriaSet, InvalidInput
from domain.evaluation import evaluate
from tests.domain.helpers import (
    ADMIN,
    CDHT,
    OFFICER,
    Story,
    given,
    opened,
    publish,
    recorded,
    refused,
    seed_content,
    when,
)

TT24 = "criteria-minh-hoa-dvht-tt24-2023.json"
SHARE = "3.1"
COMPUTED_ON = date(2025, 2, 4)


def aged_content(min_age: Any = 15) -> dict[str, Any]:
    """The TT 24 level set under its own code, its share counting members of ``min_age``."""
    content = seed_content(TT24)
    content["code"] = "TEST/AGED"
    for criterion in content["criteria"]:
        for indicator in criterion["indicators"]:
            if indicator["code"] == SHARE:
                indicator["computed"]["min_age"] = min_age
    return content


def record_share(story: Story, **counts: int) -> None:
    story.case.record_member_share(
        indicator=SHARE,
        numerator=counts.get("numerator", 3),
        denominator=counts.get("denominator", 5),
        log_position=812,
        spec=story.spec,
        on=COMPUTED_ON,
        under_age=counts.get("under_age", 0),
        unknown_age=counts.get("unknown_age", 0),
    )


# --- the event records the filter and the counts -----------------------------------------


def test_a_share_of_members_of_age_records_the_filter_and_every_count_as_of_31_december():
    story = given(opened(), spec=publish(aged_content(15)).spec)
    when(OFFICER, record_share, story, numerator=3, denominator=5, under_age=2, unknown_age=1)
    [event] = recorded(story.case)
    assert (event.min_age, event.under_age, event.unknown_age) == (15, 2, 1)
    assert (event.numerator, event.denominator, event.share) == (3, 5, Decimal(60))
    assert (event.data_period_start, event.as_of) == (date(2024, 1, 1), date(2024, 12, 31))
    own = set(vars(event)) - {"originator_id", "originator_version", "timestamp"}
    assert not {f for f in own if "birth" in f or "name" in f or "member_ids" in f}


def test_a_share_without_an_age_filter_records_no_age_counts():
    story = given(opened(), spec=publish(aged_content(None)).spec)
    when(OFFICER, record_share, story)
    [event] = recorded(story.case)
    assert (event.min_age, event.under_age, event.unknown_age) == (None, 0, 0)


@pytest.mark.parametrize("counts", [{"under_age": 1}, {"unknown_age": 1}])
def test_age_counts_for_an_indicator_without_an_age_filter_are_refused(counts: dict[str, int]):
    story = given(opened(), spec=publish(aged_content(None)).spec)
    refused(InvalidInput, OFFICER, record_share, story, untouched=[story.case], **counts)


@pytest.mark.parametrize(
    "counts", [{"under_age": -1}, {"unknown_age": -1}, {"unknown_age": 6, "denominator": 5}]
)
def test_impossible_age_counts_are_refused(counts: dict[str, int]):
    story = given(opened(), spec=publish(aged_content(15)).spec)
    refused(InvalidInput, OFFICER, record_share, story, untouched=[story.case], **counts)


def test_a_persons_own_case_has_no_members_to_count():
    content = seed_content(CDHT)
    content["code"] = "TEST/CDHT-SHARE"
    content["criteria"][0]["indicators"].append(
        {
            "code": "9.9",
            "name": "Tỷ lệ thành viên đạt danh hiệu",
            "kind": "share",
            "computed": {"measure": "member_share", "title": "cong_dan_hoc_tap", "min_age": 15},
        }
    )
    story = given(opened(), spec=publish(content).spec)
    error = refused(
        InvalidInput,
        OFFICER,
        story.case.record_member_share,
        indicator="9.9",
        numerator=1,
        denominator=1,
        log_position=1,
        spec=story.spec,
        on=COMPUTED_ON,
        untouched=[story.case],
    )
    assert error.details["subject_kind"] == "person"


# --- publishing: the minimum age is a whole number of years in range ----------------------


@pytest.mark.parametrize(
    "min_age",
    [
        pytest.param(-1, id="negative"),
        pytest.param(0, id="zero"),
        pytest.param(15.5, id="fraction"),
        pytest.param(15.0, id="float"),
        pytest.param("15", id="text"),
        pytest.param("١٥", id="arabic-indic-digits"),
        pytest.param("１５", id="fullwidth-digits"),
        pytest.param(True, id="boolean"),
        pytest.param(121, id="too-old"),
        pytest.param(10**40, id="huge"),
        pytest.param([15], id="list"),
    ],
)
def test_a_bad_minimum_age_is_refused_on_publish(min_age: Any):
    error = refused(InvalidCriteriaSet, ADMIN, CriteriaSet.publish, aged_content(min_age), 1, None)
    assert error.details["problem"] == "computed-min-age"


@pytest.mark.parametrize("min_age", [1, 15, 18, 120])
def test_a_whole_minimum_age_in_range_is_published_and_read_back(min_age: int):
    spec = publish(aged_content(min_age)).spec
    indicator = spec.indicator(SHARE)
    assert indicator is not None and indicator.computed is not None
    assert indicator.computed.min_age == min_age


# --- reaching an age ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "reached"),
    [
        (date(2009, 12, 31), date(2024, 12, 31), True),  # fifteenth birthday: the last day
        (date(2010, 1, 1), date(2024, 12, 31), False),  # one day short
        (date(1950, 6, 1), date(2024, 12, 31), True),
        (date(2008, 2, 29), date(2023, 2, 28), False),  # leap-day birthday in a common year
        (date(2008, 2, 29), date(2023, 3, 1), True),
        (date(2008, 2, 29), date(2024, 2, 29), True),
    ],
)
def test_the_age_is_reached_on_the_birthday(born: date, on: date, reached: bool):
    assert age_reached(born, 15, on) is reached


# --- the illustrative family set, version 2: at least 40% of members aged 15 or over --------


FAMILY_2027 = "criteria-minh-hoa-gdht-2027.json"
FAMILY_SCORES = {"1.1": 1, "1.2": 18, "2.1": 1, "2.2": 25, "3.1": 16, "4.1": 24}


def family_verdict(share: str) -> Any:
    scores = {k: Decimal(v) for k, v in FAMILY_SCORES.items()} | {"2.3": Decimal(share)}
    return evaluate(publish(seed_content(FAMILY_2027)).spec, scores)


def test_the_family_set_counts_members_aged_15_or_over_and_asks_40_percent():
    spec = publish(seed_content(FAMILY_2027)).spec
    share = spec.indicator("2.3")
    assert share is not None and share.computed is not None
    assert (share.computed.title.value, share.computed.min_age) == ("cong_dan_hoc_tap", 15)
    assert spec.illustrative and "MINH HỌA" in spec.title


@pytest.mark.parametrize(("share", "passed"), [("39.99", False), ("40", True), ("100", True)])
def test_a_household_under_40_percent_fails_the_share_floor(share: str, passed: bool):
    verdict = family_verdict(share)
    [check] = [c for c in verdict.checks if c.rule == "indicator_floor" and c.indicator == "2.3"]
    assert check.passed is passed
    assert verdict.passed is passed


def test_a_set_wide_floor_in_points_does_not_apply_to_a_share():
    content = aged_content(15)
    content["rules"]["indicator_floor"] = 50
    spec = publish(content).spec
    verdict = evaluate(spec, {SHARE: Decimal(10)})
    assert not [c for c in verdict.checks if c.rule == "indicator_floor" and c.indicator == SHARE]
