"""Programme targets (Decisions 387 and 677) as an administrator publishes them: numbers
are read only when written plainly, and every refusal names the entry."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.glossary import TitleModel
from domain.targets import InvalidTargets, Target, parse_targets
from tests.domain.helpers import SEED_DIR, assert_readable


def seed() -> dict[str, Any]:
    return json.loads((SEED_DIR / "targets-387-677.json").read_text(encoding="utf-8"))


def with_first(**changes: Any) -> dict[str, Any]:
    content = copy.deepcopy(seed())
    content["targets"][0].update(changes)
    return content


def test_the_published_targets_are_read_with_their_rates_and_years():
    spec = parse_targets(seed())
    first = seed()["targets"][0]
    assert (spec.targets[0].year, spec.targets[0].rate) == (
        int(first["year"]),
        Decimal(str(first["rate"])),
    )


def test_a_year_and_rate_written_as_ascii_text_are_read_as_numbers():
    spec = parse_targets(with_first(year="2030", rate="72.5"))
    assert (spec.targets[0].year, spec.targets[0].rate) == (2030, Decimal("72.5"))


WRONG = {
    "year in Arabic-Indic digits": {"year": "٢٠٣٠"},
    "year in fullwidth digits": {"year": "２０３０"},
    "year as true": {"year": True},
    "year with a fraction": {"year": 2030.5},
    "rate in Arabic-Indic digits": {"rate": "٧٠"},
    "rate with an underscore": {"rate": "7_0"},
    "rate as NaN": {"rate": float("nan")},
    "rate as infinity": {"rate": float("inf")},
    "rate of 0": {"rate": 0},
    "rate above 100": {"rate": "100.01"},
    "rate as true": {"rate": True},
}


@pytest.mark.parametrize("changes", WRONG.values(), ids=WRONG.keys())
def test_a_target_written_any_other_way_is_refused_naming_its_entry(changes):
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(with_first(**changes))
    assert refused.value.details == {"index": 0}
    assert refused.value.message.startswith("targets[0]")
    assert_readable(refused.value)


# --- what a published document holds -------------------------------------------------------


def test_every_field_of_a_target_is_read_as_published():
    spec = parse_targets(seed())
    assert (spec.code, spec.effective_from) == ("muc-tieu-chuong-trinh", date(2022, 6, 3))
    assert spec.title == seed()["title"]
    assert len(spec.targets) == 8
    assert spec.targets[0] == Target(
        model=TitleModel.LEARNING_FAMILY,
        year=2025,
        rate=Decimal(70),
        target_groups=(),
        basis="QĐ 387/QĐ-TTg",
        note="70% gia đình đạt Gia đình học tập",
    )
    assert spec.targets[4].target_groups == ("nong_dan", "cong_nhan")


def test_a_target_without_a_note_or_groups_is_read_with_none_and_no_groups():
    content = with_first()
    del content["targets"][0]["note"]
    first = parse_targets(content).targets[0]
    assert (first.note, first.target_groups) == (None, ())


def test_the_code_and_title_are_read_without_surrounding_spaces():
    content = seed() | {"code": "  muc-tieu  ", "title": " Mục tiêu\t"}
    spec = parse_targets(content)
    assert (spec.code, spec.title) == ("muc-tieu", "Mục tiêu")


@pytest.mark.parametrize("rate", ["0.5", 100])
def test_a_rate_above_0_up_to_exactly_100_is_accepted(rate):
    assert parse_targets(with_first(rate=rate)).targets[0].rate == Decimal(rate)


# --- which year's targets apply --------------------------------------------------------------

CITIZEN_TITLE = TitleModel.LEARNING_CITIZEN


@pytest.mark.parametrize(
    ("cycle_year", "target_year"),
    [(2020, 2025), (2025, 2025), (2026, 2030), (2030, 2030), (2031, 2030)],
)
def test_a_cycle_takes_the_targets_of_the_first_target_year_at_or_after_it(cycle_year, target_year):
    chosen = parse_targets(seed()).for_year(CITIZEN_TITLE, cycle_year)
    assert [(t.model, t.year) for t in chosen] == [(CITIZEN_TITLE, target_year)] * 2
    assert [t.target_groups for t in chosen] == [("nong_dan", "cong_nhan"), ("can_bo",)]


def test_a_model_s_targets_ignore_the_years_other_models_have():
    content = with_first(year=2040)  # only the learning family has a 2040 target
    chosen = parse_targets(content).for_year(TitleModel.LEARNING_CLAN, 2031)
    assert [(t.model, t.year, t.rate) for t in chosen] == [
        (TitleModel.LEARNING_CLAN, 2025, Decimal(65))
    ]


def test_a_model_without_targets_has_none_in_any_year():
    content = seed()
    content["targets"] = [t for t in content["targets"] if t["model"] != "dong_ho_hoc_tap"]
    assert parse_targets(content).for_year(TitleModel.LEARNING_CLAN, 2025) == []


# --- refusals of the document as a whole -----------------------------------------------------

INCOMPLETE = "cần code, title và ít nhất một mục tiêu"

EMPTY = {
    "blank code": {"code": "  "},
    "blank title": {"title": " "},
    "no targets": {"targets": []},
    "targets not a list": {"targets": {"model": "gia_dinh_hoc_tap"}},
}


@pytest.mark.parametrize("changes", EMPTY.values(), ids=EMPTY.keys())
def test_a_document_without_code_title_or_targets_is_refused(changes):
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(seed() | changes)
    assert refused.value.message == INCOMPLETE
    assert refused.value.code == "invalid-targets"


@pytest.mark.parametrize("missing", ["code", "title", "effective_from", "targets"])
def test_a_document_missing_a_field_is_refused_naming_it(missing):
    content = seed()
    del content[missing]
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(content)
    assert refused.value.message == f"cần code, title, effective_from và targets ('{missing}')"
    assert isinstance(refused.value.__cause__, KeyError)


def test_a_document_whose_effective_date_is_not_a_plain_day_is_refused():
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(seed() | {"effective_from": "20220603"})
    assert refused.value.message == (
        "cần code, title, effective_from và targets (ngày phải viết YYYY-MM-DD: '20220603')"
    )


MISSING = {
    "model": "targets[0]: 'model'",
    "basis": "targets[0]: 'basis'",
    "year": "targets[0]: 'year'",
    "rate": "targets[0]: 'rate'",
}


@pytest.mark.parametrize(("field", "says"), MISSING.items(), ids=MISSING.keys())
def test_a_target_missing_a_field_is_refused_naming_the_entry_and_the_field(field, says):
    content = seed()
    del content["targets"][2][field]
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(content)
    assert (refused.value.message, refused.value.details) == (
        says.replace("[0]", "[2]"),
        {"index": 2},
    )


@pytest.mark.parametrize("rate", [0, -5, "100.01"])
def test_a_rate_outside_0_to_100_is_refused_with_the_range(rate):
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(with_first(rate=rate))
    assert refused.value.message == "targets[0].rate: trong khoảng (0, 100]"


def test_a_target_of_an_unknown_model_is_refused():
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(with_first(model="gia_dinh"))
    assert refused.value.message == "targets[0]: 'gia_dinh' is not a valid TitleModel"
