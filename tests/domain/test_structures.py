"""Reporting structures as published data: the structure asked for by code or in force on a
day, a later rearrangement added as a new version, and every malformed document refused."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from domain.base import acting
from domain.errors import DateOutOfRange
from domain.rules import REPORTING_STRUCTURES, RuleDocument
from domain.structures import (
    InvalidStructures,
    StructuresSpec,
    UnknownStructure,
    parse_structures,
)
from tests.domain.helpers import ADMIN, SEED_DIR

SEED = json.loads((SEED_DIR / "reporting-structures-2025.json").read_text(encoding="utf-8"))


def seed() -> dict[str, Any]:
    return copy.deepcopy(SEED)


def with_rearrangement(content: dict[str, Any]) -> dict[str, Any]:
    """A third structure, as an administrator would publish it after communes merge again."""
    content["structures"].append(
        {
            "code": "two_level_2026",
            "label": "Hai cấp, sau sắp xếp xã năm 2026",
            "in_force_from": "2026-05-01",
            "geography_day": "2026-05-01",
            "basis": "Nghị quyết sắp xếp đơn vị hành chính cấp xã năm 2026 (giả định trong test)",
        }
    )
    return content


def test_the_seed_holds_the_three_level_and_the_two_level_structures():
    spec = parse_structures(seed())
    assert [s.code for s in spec.structures] == ["three_level", "two_level"]
    assert spec.named("three_level").geography_day == date(2025, 6, 30)
    assert spec.named("two_level").geography_day == date(2025, 7, 1)
    assert spec.labels()["two_level"] == "Chính quyền địa phương hai cấp (từ 01/07/2025)"


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2000, 1, 1), "three_level"),
        (date(2025, 6, 30), "three_level"),
        (date(2025, 7, 1), "two_level"),
        (date(2026, 4, 30), "two_level"),
        (date(2026, 5, 1), "two_level_2026"),
        (date(2100, 12, 31), "two_level_2026"),
    ],
)
def test_the_structure_in_force_on_a_day_is_the_latest_in_force_by_then(day: date, code: str):
    spec = parse_structures(with_rearrangement(seed()))
    assert spec.in_force_on(day).code == code


def test_a_day_before_every_structure_and_an_unknown_code_are_refused_by_name():
    spec = parse_structures(seed())
    with pytest.raises(UnknownStructure) as before:
        spec.in_force_on(date(1999, 12, 31))
    assert before.value.details["earliest"] == "2000-01-01"
    with pytest.raises(UnknownStructure) as unknown:
        spec.named("four_level")
    assert unknown.value.details["known"] == ["three_level", "two_level"]


def test_structures_are_ordered_by_the_day_they_came_into_force_whatever_the_order_written():
    content = with_rearrangement(seed())
    content["structures"].reverse()
    spec = parse_structures(content)
    assert [s.code for s in spec.structures] == ["three_level", "two_level", "two_level_2026"]


def test_a_rearrangement_is_a_new_version_of_the_same_document():
    with acting(ADMIN.context("corr-structures")):
        first = RuleDocument.publish(REPORTING_STRUCTURES, seed(), 1)
        second = RuleDocument.publish(REPORTING_STRUCTURES, with_rearrangement(seed()), 2)
    assert first.id != second.id and first.code == second.code == "co-cau-bao-cao"
    assert isinstance(second.structures, StructuresSpec)
    assert second.structures.in_force_on(date(2026, 6, 1)).code == "two_level_2026"
    assert first.structures.in_force_on(date(2026, 6, 1)).code == "two_level"


def _set(path: str, value: Any) -> dict[str, Any]:
    content = seed()
    target: Any = content
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is _DROP:
        del target[key]
    else:
        target[key] = value
    return content


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("code", ""),
        ("title", "   "),
        ("title", _DROP),
        ("effective_from", "20250701"),
        ("effective_from", "2025-W27-2"),
        ("effective_from", "２０２５-07-01"),
        ("effective_from", 20250701),
        ("structures", []),
        ("structures", {"code": "two_level"}),
        ("structures.0", "three_level"),
        ("structures.0.code", "hai_cấp"),
        ("structures.0.code", "２level"),
        ("structures.0.code", "2level"),
        ("structures.0.code", "two level"),
        ("structures.0.code", "two_level"),  # the same code twice
        ("structures.0.label", _DROP),
        ("structures.0.basis", ""),
        ("structures.0.in_force_from", "2025-07-01"),  # the same day as two_level
        ("structures.0.in_force_from", "2025-13-01"),
        ("structures.0.geography_day", "30/06/2025"),
        ("structures.0.geography_day", None),
    ],
)
def test_a_malformed_document_is_refused_naming_what_is_wrong(path: str, value: Any):
    with pytest.raises(InvalidStructures) as refused:
        parse_structures(_set(path, value))
    assert refused.value.message


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01"])
def test_days_outside_the_accepted_range_are_refused(day: str):
    with pytest.raises(DateOutOfRange):
        parse_structures(_set("structures.1.geography_day", day))


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidStructures):
        parse_structures(["two_level"])  # type: ignore[arg-type]
