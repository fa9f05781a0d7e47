"""Complaint clocks: counted from stored dates, obstacles excluded exactly once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.clocks import (
    ACCEPTANCE,
    FILING,
    FIRST_RESOLUTION,
    SECOND_FILING,
    SECOND_RESOLUTION,
    InvalidClockRules,
    Obstacle,
    deadline,
    parse_clock_rules,
)

SEED = Path(__file__).resolve().parents[2] / "application" / "seed"
CONTENT = json.loads((SEED / "complaint-clocks-2011.json").read_text(encoding="utf-8"))
RULES = parse_clock_rules(CONTENT)
LEARNT = date(2026, 3, 2)  # a Monday


def test_the_filing_period_ends_90_days_after_the_day_the_decision_was_learnt_of():
    assert deadline(RULES, FILING, LEARNT) == date(2026, 5, 31)


def test_an_obstacle_inside_the_period_moves_the_deadline_by_exactly_its_length():
    illness = Obstacle(date(2026, 4, 1), date(2026, 4, 12), "ốm đau")
    assert deadline(RULES, FILING, LEARNT, obstacles=[illness]) == date(2026, 5, 31) + timedelta(
        days=12
    )


def test_overlapping_obstacles_count_each_lost_day_once():
    first = Obstacle(date(2026, 4, 1), date(2026, 4, 10), "thiên tai")
    second = Obstacle(date(2026, 4, 6), date(2026, 4, 12), "ốm đau")
    assert deadline(RULES, FILING, LEARNT, obstacles=[first, second]) == date(2026, 6, 12)


def test_an_obstacle_before_the_period_starts_moves_nothing():
    before = Obstacle(date(2026, 2, 1), date(2026, 2, 20), "công tác")
    assert deadline(RULES, FILING, LEARNT, obstacles=[before]) == date(2026, 5, 31)


def test_the_authority_s_own_periods_ignore_the_complainant_s_obstacles():
    illness = Obstacle(date(2026, 3, 5), date(2026, 3, 20), "ốm đau")
    assert deadline(RULES, FIRST_RESOLUTION, LEARNT, obstacles=[illness]) == date(2026, 4, 1)


def test_acceptance_counts_ten_working_days_skipping_weekends_and_listed_holidays():
    assert deadline(RULES, ACCEPTANCE, date(2026, 3, 6)) == date(2026, 3, 20)  # from a Friday
    with_holiday = parse_clock_rules(CONTENT | {"holidays": ["2026-03-10"]})
    assert deadline(with_holiday, ACCEPTANCE, date(2026, 3, 6)) == date(2026, 3, 23)


@pytest.mark.parametrize(
    ("period", "complex_case", "remote", "days"),
    [
        (FIRST_RESOLUTION, False, False, 30),
        (FIRST_RESOLUTION, True, False, 45),
        (FIRST_RESOLUTION, False, True, 45),
        (FIRST_RESOLUTION, True, True, 60),
        (SECOND_FILING, False, False, 30),
        (SECOND_FILING, False, True, 45),
        (SECOND_RESOLUTION, False, False, 45),
        (SECOND_RESOLUTION, True, False, 60),
        (SECOND_RESOLUTION, False, True, 60),
        (SECOND_RESOLUTION, True, True, 70),
    ],
)
def test_complex_and_remote_cases_get_their_longer_periods(period, complex_case, remote, days):
    start = date(2026, 1, 10)
    assert deadline(RULES, period, start, complex_case=complex_case, remote=remote) == (
        start + timedelta(days=days)
    )


def test_rules_missing_a_period_are_refused():
    periods = {k: v for k, v in CONTENT["periods"].items() if k != SECOND_FILING}
    with pytest.raises(InvalidClockRules):
        parse_clock_rules(CONTENT | {"periods": periods})


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    offset=st.integers(min_value=1, max_value=80),
    length=st.integers(min_value=1, max_value=60),
)
def test_a_single_obstacle_inside_the_window_always_adds_its_length(start, offset, length):
    first = start + timedelta(days=offset)
    obstacle = Obstacle(first, first + timedelta(days=length - 1), "ốm đau")
    assert deadline(RULES, FILING, start, obstacles=[obstacle]) == start + timedelta(
        days=90 + length
    )
