"""The accepted date range (domain.dates): every command refuses a date outside it by name.

Process dates lie within 2000-01-01 … 2100-12-31; documents offered as evidence may be older
(from 1900-01-01). The console and the generator call the domain directly, so these guards,
not the API's types, are what keeps a clock from counting across centuries.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.base import acting
from domain.clocks import Obstacle
from domain.criteria import CriteriaSet
from domain.dates import (
    EARLIEST_BIRTH_DAY,
    EARLIEST_PROCESS_DAY,
    LAST_PROCESS_DAY,
    PROCESS_DATES,
    birth_dates,
    check_process_dates,
    iso_day,
)
from domain.errors import DateOutOfRange, InvalidInput
from domain.glossary import UnitLevel
from domain.registry import AdministrativeUnit
from domain.rules import COMPLAINT_CLOCKS, RuleDocument
from tests.domain.helpers import (
    ADMIN,
    CITIZEN,
    OFFICER,
    attach,
    evidence_attached,
    given,
    opened,
    province,
    recorded,
    refused,
    seed_content,
    self_assessed,
    when,
)
from tests.domain.test_complaints import CLOCKS, complaint_given, file_complaint

BEFORE = st.dates(max_value=date(1999, 12, 31))
AFTER = st.dates(min_value=date(2101, 1, 1))
OUTSIDE = st.one_of(BEFORE, AFTER)
INSIDE = st.dates(min_value=EARLIEST_PROCESS_DAY, max_value=LAST_PROCESS_DAY)


def test_the_range_keeps_both_its_ends():
    assert PROCESS_DATES.check(EARLIEST_PROCESS_DAY, "on") == EARLIEST_PROCESS_DAY
    assert PROCESS_DATES.check(LAST_PROCESS_DAY, "on") == LAST_PROCESS_DAY
    assert birth_dates(date(2026, 3, 1)).check(EARLIEST_BIRTH_DAY, "birth_date")


@for_all(day=OUTSIDE)
def test_a_day_outside_the_range_is_refused_with_the_evidence(day):
    with pytest.raises(DateOutOfRange) as raised:
        PROCESS_DATES.check(day, "received_on")
    assert raised.value.details == {
        "field": "received_on",
        "value": day.isoformat(),
        "earliest": "2000-01-01",
        "latest": "2100-12-31",
    }


@for_all(day=INSIDE)
def test_a_day_inside_the_range_is_kept(day):
    assert PROCESS_DATES.check(day, "on") == day


def test_a_birth_date_after_today_is_refused():
    with pytest.raises(DateOutOfRange):
        birth_dates(date(2026, 3, 1)).check(date(2026, 3, 2), "birth_date")


class TestComplaintDates:
    @for_all(day=OUTSIDE, field=st.sampled_from(["learnt_on", "received_on"]))
    def test_a_complaint_learnt_of_or_received_outside_the_range_is_refused_by_name(
        self, day, field
    ):
        error = refused(DateOutOfRange, CITIZEN, file_complaint, **{field: day})
        assert error.details["field"] == field

    @for_all(day=OUTSIDE, end=st.sampled_from(["first_day", "last_day"]))
    def test_an_obstacle_reaching_outside_the_range_is_refused_by_name(self, day, end):
        days = {"first_day": date(2025, 4, 1), "last_day": date(2025, 4, 10)} | {end: day}
        lost = [Obstacle(date(2025, 3, 1), date(2025, 3, 2), "ốm đau"), Obstacle(**days, kind="")]
        error = refused(DateOutOfRange, CITIZEN, file_complaint, obstacles=lost)
        assert error.details["field"] == f"obstacles.1.{end}"

    @for_all(day=OUTSIDE)
    def test_an_authority_step_dated_outside_the_range_is_refused(self, day):
        complaint = complaint_given()
        error = refused(
            DateOutOfRange, OFFICER, complaint.accept, CLOCKS, day, False, untouched=[complaint]
        )
        assert error.details["field"] == "accepted_on"


class TestCaseAndRegistryDates:
    @for_all(day=AFTER)  # a day before the last step is refused as out of order first
    def test_a_step_of_a_case_dated_outside_the_range_is_refused(self, day):
        story = given(opened(), evidence_attached())
        step = self_assessed(on=day)
        error = refused(DateOutOfRange, CITIZEN, step.run, story, untouched=[story.case])
        assert error.details["field"] == "effective_date"

    def test_evidence_may_be_older_than_the_ledger_but_not_older_than_1900(self):
        story = given(opened())
        when(CITIZEN, attach, story, 1, ["1"], date(1985, 6, 1), date(2026, 1, 20))
        assert [e.issued_on for e in recorded(story.case)] == [date(1985, 6, 1)]
        error = refused(
            DateOutOfRange,
            CITIZEN,
            attach,
            story,
            2,
            ["1"],
            date(1899, 12, 31),
            date(2026, 1, 20),
            says="issued_on: ngày 1899-12-31 ngoài khoảng chấp nhận 1900-01-01 … 2100-12-31",
        )
        assert error.details["field"] == "issued_on"

    @for_all(day=OUTSIDE, field=st.sampled_from(["valid_from", "valid_to"]))
    def test_a_unit_valid_outside_the_range_is_refused_by_name(self, day, field):
        dates = {"valid_from": date(2008, 1, 1), "valid_to": None} | {field: day}
        error = refused(
            DateOutOfRange,
            ADMIN,
            AdministrativeUnit.establish,
            code="X99",
            name="Xã Ngoài Khoảng",
            level=UnitLevel.COMMUNE,
            unit_type="xa",
            parent=province(),
            **dates,
        )
        assert error.details["field"] == field

    def test_rules_and_criteria_taking_effect_outside_the_range_are_refused(self):
        clocks = seed_content("complaint-clocks-2011.json")
        for changed in ({"effective_from": "1990-01-01"}, {"holidays": ["2101-01-01"]}):
            refused(
                DateOutOfRange, ADMIN, RuleDocument.publish, COMPLAINT_CLOCKS, clocks | changed, 1
            )
        criteria = seed_content() | {"effective_to": "9999-12-31"}
        error = refused(DateOutOfRange, ADMIN, CriteriaSet.publish, criteria, 1, None)
        assert error.details["field"] == "effective_to"


NOT_DAYS = ["20220728", "2022-W30-4", "２０２２-07-28", "2022-07-28T00:00", "28/07/2022", 20220728]


@pytest.mark.parametrize("written", NOT_DAYS)
@pytest.mark.parametrize(
    ("kind", "seed"),
    [
        (None, "criteria-cdht-can-bo.json"),
        ("programme-targets", "targets-387-677.json"),
        (COMPLAINT_CLOCKS, "complaint-clocks-2011.json"),
        ("reporting-structures", "reporting-structures-2025.json"),
    ],
)
def test_a_published_document_writes_its_days_one_way_only(
    kind: str | None, seed: str, written: object
):
    """``date.fromisoformat`` reads "20220728" and "2022-W30-4" too; a published document
    that a person reviews says YYYY-MM-DD with ASCII digits, or is refused."""
    content = seed_content(seed)
    content["effective_from"] = written
    with acting(ADMIN.context("corr-days")), pytest.raises(InvalidInput):
        if kind is None:
            CriteriaSet.publish(content, 1, None)
        else:
            RuleDocument.publish(kind, content, 1)


def test_a_refused_day_is_named_in_words_with_the_range():
    with pytest.raises(DateOutOfRange) as raised:
        PROCESS_DATES.check(date(2101, 1, 1), "received_on")
    assert raised.value.message == (
        "received_on: ngày 2101-01-01 ngoài khoảng chấp nhận 2000-01-01 … 2100-12-31"
    )


def test_a_birth_date_may_be_today_and_from_1900_but_not_earlier():
    born = birth_dates(date(2026, 3, 1))
    assert (born.earliest, born.latest) == (date(1900, 1, 1), date(2026, 3, 1))
    assert born.check(date(2026, 3, 1), "birth_date") == date(2026, 3, 1)
    with pytest.raises(DateOutOfRange) as raised:
        born.check(date(1899, 12, 31), "birth_date")
    assert raised.value.details["earliest"] == "1900-01-01"


def test_only_the_extended_iso_form_with_ascii_digits_is_a_day():
    assert iso_day("2026-03-10") == date(2026, 3, 10)
    assert iso_day(date(2026, 3, 10)) == date(2026, 3, 10)
    for written in ("20260310", "2026-03-10T00:00", "٢٠٢٦-03-10", None):
        with pytest.raises(ValueError, match=r"^ngày phải viết YYYY-MM-DD: "):
            iso_day(written)


def test_only_named_dates_that_are_given_are_checked():
    check_process_dates(received_on=None, accepted_on=date(2025, 1, 1))
    with pytest.raises(DateOutOfRange) as raised:
        check_process_dates(received_on=date(2025, 1, 1), accepted_on=date(1999, 1, 1))
    assert raised.value.details["field"] == "accepted_on"
