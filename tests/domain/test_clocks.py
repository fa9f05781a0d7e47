"""Complaint clocks: counted from stored dates, obstacles excluded exactly once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.clocks import (
    ACCEPTANCE,
    COMPLAINANT_PERIODS,
    FILING,
    FIRST_RESOLUTION,
    PERIOD_NAMES,
    SECOND_FILING,
    SECOND_RESOLUTION,
    InvalidClockRules,
    Obstacle,
    deadline,
    parse_clock_rules,
)
from domain.dates import LAST_PROCESS_DAY

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


def test_the_published_clocks_count_tet_and_the_hung_kings_day_as_days_off():
    """Tết Bính Ngọ is Monday 16 to Friday 20 February 2026; Giỗ Tổ Hùng Vương (10/3 âm lịch)
    falls on Sunday 26 April 2026 and is taken on Monday 27 April."""
    without = parse_clock_rules(CONTENT | {"holidays": []})
    received = date(2026, 2, 13)  # the Friday before Tết
    assert deadline(without, ACCEPTANCE, received) == date(2026, 2, 27)
    assert deadline(RULES, ACCEPTANCE, received) == date(2026, 3, 6)
    # from Friday 24 April: 27/4, 30/4 and 1/5 are off, so the tenth working day is 13 May
    assert deadline(RULES, ACCEPTANCE, date(2026, 4, 24)) == date(2026, 5, 13)


def test_a_holiday_may_be_listed_with_its_name_for_readers():
    named = parse_clock_rules(
        CONTENT | {"holidays": [{"date": "2026-03-10", "name": "Ngày nghỉ"}, "2026-03-11"]}
    )
    assert named.holidays == {date(2026, 3, 10), date(2026, 3, 11)}


@pytest.mark.parametrize(
    "written",
    [
        "２０２６-03-10",  # fullwidth digits
        "٢٠٢٦-03-10",  # Arabic-Indic digits
        "20260310",  # the basic ISO form: not how a date is written here
        " 2026-03-10",
        "2026-03-10\n",
        "2026-3-10",
        "2026-02-30",
        20260310,
        None,
        {"name": "Tết"},
        {"date": "１０/03/2026"},
    ],
)
def test_a_holiday_not_written_as_an_ascii_iso_date_is_refused(written):
    with pytest.raises(InvalidClockRules):
        parse_clock_rules(CONTENT | {"holidays": [written]})


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


# --- counting without walking: the same answers as walking day by day ---------------------


def walked_deadline(rules, period_name, start, *, complex_case=False, remote=False, obstacles=()):
    """The obvious reference: walk one day at a time (the implementation before 2026-12)."""
    period = rules.periods[period_name]
    remaining = period.length(complex_case=complex_case, remote=remote)
    excluded = set()
    if period_name in COMPLAINANT_PERIODS:
        for obstacle in obstacles:
            day = obstacle.first_day
            while day <= obstacle.last_day:
                excluded.add(day)
                day += timedelta(days=1)
    day = start
    while remaining > 0:
        day += timedelta(days=1)
        if day in excluded:
            continue
        if period.working_days and (day.weekday() >= 5 or day in rules.holidays):
            continue
        remaining -= 1
    return day


NEAR = st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 2, 28))  # across year ends


@st.composite
def obstacles(draw):
    first = draw(NEAR)
    return Obstacle(first, first + timedelta(days=draw(st.integers(0, 120))), "ốm đau")


@st.composite
def clock_rules(draw):
    """The published periods, each possibly in working days, with holidays (weekends too)."""
    periods = {}
    for name, item in CONTENT["periods"].items():
        unit = draw(st.sampled_from(["days", "working_days"]))
        periods[name] = item | {"unit": unit, "days": draw(st.integers(1, 120))}
    holidays = draw(st.lists(NEAR, max_size=40))
    return parse_clock_rules(
        CONTENT | {"periods": periods, "holidays": [d.isoformat() for d in holidays]}
    )


class TestCountingWithoutWalking:
    @settings(max_examples=600, deadline=None)
    @given(
        rules=st.one_of(st.just(RULES), clock_rules()),
        period=st.sampled_from(PERIOD_NAMES),
        start=NEAR,
        complex_case=st.booleans(),
        remote=st.booleans(),
        lost=st.lists(obstacles(), max_size=6),
    )
    def test_every_deadline_equals_the_day_by_day_walk(
        self, rules, period, start, complex_case, remote, lost
    ):
        options = {"complex_case": complex_case, "remote": remote, "obstacles": lost}
        assert deadline(rules, period, start, **options) == walked_deadline(
            rules, period, start, **options
        )

    def test_holidays_on_weekends_and_inside_obstacles_are_not_lost_twice(self):
        rules = parse_clock_rules(
            CONTENT
            | {
                "periods": CONTENT["periods"]
                | {"filing": CONTENT["periods"]["filing"] | {"unit": "working_days", "days": 5}},
                "holidays": ["2026-03-07", "2026-03-10", "2026-03-11", "2026-03-16"],
            }
        )
        lost = [Obstacle(date(2026, 3, 9), date(2026, 3, 10), "ốm đau")]
        assert deadline(rules, FILING, date(2026, 3, 6), obstacles=lost) == date(2026, 3, 19)
        assert walked_deadline(rules, FILING, date(2026, 3, 6), obstacles=lost) == date(2026, 3, 19)

    def test_obstacles_spanning_the_whole_range_count_like_the_walk(self):
        century = [
            Obstacle(date(2000 + i, 1, 1), date(2000 + i, 12, 31), "công tác") for i in range(100)
        ]
        holidays = parse_clock_rules(
            CONTENT | {"holidays": [f"{year}-09-02" for year in range(2000, 2101)]}
        )
        assert deadline(holidays, FILING, date(2000, 1, 1), obstacles=century) == date(2100, 3, 31)
        assert deadline(holidays, ACCEPTANCE, LAST_PROCESS_DAY) == walked_deadline(
            holidays, ACCEPTANCE, LAST_PROCESS_DAY
        )


# --- the rules as published: every refusal names its field and says why --------------------


def with_period(name: str, **changes: object) -> dict:
    return CONTENT | {"periods": CONTENT["periods"] | {name: CONTENT["periods"][name] | changes}}


@pytest.mark.parametrize(("days", "accepted"), [(0, False), (1, True), (366, True), (367, False)])
def test_a_period_lasts_from_one_day_to_a_year(days, accepted):
    if accepted:
        assert parse_clock_rules(with_period(FILING, days=days)).periods[FILING].days == days
        return
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(with_period(FILING, days=days))
    assert refused.value.message == "periods.filing.days: số ngày nguyên dương, tối đa 366"
    assert refused.value.details == {"field": "periods.filing.days"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("complex_days", 0),
        ("remote_days", 367),
        ("remote_complex_days", True),
        ("complex_days", "45"),
    ],
)
def test_a_longer_period_is_checked_like_the_period_itself(key, value):
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(with_period(FIRST_RESOLUTION, **{key: value}))
    where = f"first_resolution.{key}"
    assert refused.value.message == f"{where}: số ngày nguyên dương, tối đa 366"
    assert refused.value.details == {"field": where}


def test_a_period_without_its_days_is_refused():
    periods = CONTENT["periods"] | {ACCEPTANCE: {"unit": "working_days"}}
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(CONTENT | {"periods": periods})
    assert refused.value.details == {"field": "periods.acceptance.days"}


def test_rules_missing_a_period_say_which():
    periods = {k: v for k, v in CONTENT["periods"].items() if k not in (FILING, SECOND_FILING)}
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(CONTENT | {"periods": periods})
    assert refused.value.message == "thiếu thời hạn: filing, second_filing"
    assert refused.value.details == {"missing": [FILING, SECOND_FILING]}


def test_rules_with_a_blank_code_are_refused():
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(CONTENT | {"code": "  "})
    assert refused.value.details == {"missing": []}


def test_rules_missing_a_heading_name_what_they_need():
    without_title = {k: v for k, v in CONTENT.items() if k != "title"}
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(without_title)
    assert refused.value.message == (
        "cần code, title, legal_basis, effective_from, periods ('title')"
    )
    assert refused.value.details == {}


def test_a_holiday_given_as_a_date_object_is_refused_with_the_form_it_needs():
    with pytest.raises(InvalidClockRules) as refused:
        parse_clock_rules(CONTENT | {"holidays": [date(2026, 3, 10)]})
    assert refused.value.message == (
        "cần code, title, legal_basis, effective_from, periods "
        "(ngày nghỉ lễ phải viết YYYY-MM-DD: datetime.date(2026, 3, 10))"
    )


def test_a_period_reads_its_unit_and_basis_and_falls_back_to_the_rules_basis():
    rules = parse_clock_rules(
        with_period(FILING, unit="working_days", basis="Điều 9") | {"holidays": None}
    )
    filing = rules.periods[FILING]
    assert (filing.name, filing.working_days, filing.basis) == (FILING, True, "Điều 9")
    assert rules.holidays == frozenset()
    no_basis = {k: v for k, v in CONTENT["periods"][ACCEPTANCE].items() if k != "basis"}
    plain = parse_clock_rules(CONTENT | {"periods": CONTENT["periods"] | {ACCEPTANCE: no_basis}})
    assert plain.periods[ACCEPTANCE].basis == "Luật Khiếu nại số 02/2011/QH13"
    assert plain.periods[ACCEPTANCE].working_days is True
    assert RULES.periods[FILING].working_days is False


def test_the_heading_of_the_rules_is_kept_trimmed():
    rules = parse_clock_rules(
        CONTENT | {"code": " luat ", "title": " Thời hạn ", "legal_basis": " Luật "}
    )
    assert (rules.code, rules.title, rules.legal_basis) == ("luat", "Thời hạn", "Luật")
    assert rules.effective_from == date(2012, 7, 1)


def test_a_remote_complex_case_without_its_own_period_gets_the_remote_one():
    """SECOND_FILING has a remote period but no complex ones."""
    period = RULES.periods[SECOND_FILING]
    assert period.length(complex_case=True, remote=True) == 45
    assert period.length(complex_case=True, remote=False) == 30


def test_only_weekday_holidays_are_kept_for_counting_working_days():
    rules = parse_clock_rules(
        CONTENT | {"holidays": ["2026-03-09", "2026-03-13", "2026-03-14", "2026-03-15"]}
    )
    assert rules.weekday_holidays == [date(2026, 3, 9).toordinal(), date(2026, 3, 13).toordinal()]


def test_an_empty_obstacle_loses_no_day_and_hides_no_later_obstacle():
    empty = Obstacle(date(2026, 3, 10), date(2026, 3, 9), "ốm đau")  # ends before it starts
    illness = Obstacle(date(2026, 4, 1), date(2026, 4, 12), "ốm đau")
    assert deadline(RULES, FILING, LEARNT, obstacles=[empty]) == date(2026, 5, 31)
    assert deadline(RULES, FILING, LEARNT, obstacles=[illness, empty]) == date(2026, 6, 12)


def test_a_single_free_day_between_two_obstacles_still_counts():
    first = Obstacle(date(2026, 4, 1), date(2026, 4, 5), "ốm đau")
    second = Obstacle(date(2026, 4, 7), date(2026, 4, 10), "thiên tai")  # 6 April is free
    assert deadline(RULES, FILING, LEARNT, obstacles=[second, first]) == date(2026, 6, 9)
    touching = Obstacle(date(2026, 4, 6), date(2026, 4, 10), "thiên tai")
    assert deadline(RULES, FILING, LEARNT, obstacles=[first, touching]) == date(2026, 6, 10)


def test_an_obstacle_starting_the_day_after_the_deadline_moves_nothing():
    after = Obstacle(date(2026, 6, 1), date(2026, 6, 5), "ốm đau")  # the deadline is 31 May
    assert deadline(RULES, FILING, LEARNT, obstacles=[after]) == date(2026, 5, 31)
    on_it = Obstacle(date(2026, 5, 31), date(2026, 6, 5), "ốm đau")
    assert deadline(RULES, FILING, LEARNT, obstacles=[on_it]) == date(2026, 6, 6)


def test_a_working_day_deadline_that_falls_on_a_holiday_moves_to_the_next_working_day():
    with_holiday = parse_clock_rules(CONTENT | {"holidays": ["2026-03-20"]})  # a Friday
    assert deadline(with_holiday, ACCEPTANCE, date(2026, 3, 6)) == date(2026, 3, 23)
