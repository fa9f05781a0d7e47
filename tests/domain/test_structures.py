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


NEEDED = "bắt buộc, là chuỗi không rỗng"
NOT_ISO = "ngày phải viết YYYY-MM-DD"
ASCII_ONLY = "structures[0].code: chỉ chữ cái, chữ số ASCII và dấu gạch dưới"


@pytest.mark.parametrize(
    ("path", "value", "message", "details"),
    [
        ("code", "", f"structures.code: {NEEDED}", {"field": "code"}),
        ("title", "   ", f"structures.title: {NEEDED}", {"field": "title"}),
        ("title", _DROP, f"structures.title: {NEEDED}", {"field": "title"}),
        (
            "effective_from",
            "20250701",
            f"structures.effective_from: {NOT_ISO}: '20250701'",
            {"field": "effective_from"},
        ),
        (
            "effective_from",
            "2025-W27-2",
            f"structures.effective_from: {NOT_ISO}: '2025-W27-2'",
            {"field": "effective_from"},
        ),
        (
            "effective_from",
            "２０２５-07-01",
            f"structures.effective_from: {NOT_ISO}: '２０２５-07-01'",
            {"field": "effective_from"},
        ),
        (
            "effective_from",
            20250701,
            f"structures.effective_from: {NOT_ISO}: 20250701",
            {"field": "effective_from"},
        ),
        ("structures", [], "structures: cần ít nhất một cơ cấu", {"field": "structures"}),
        (
            "structures",
            {"code": "two_level"},
            "structures: cần ít nhất một cơ cấu",
            {"field": "structures"},
        ),
        ("structures.0", "three_level", "structures[0]: phải là một đối tượng", {"index": 0}),
        ("structures.0.code", "hai_cấp", ASCII_ONLY, {"index": 0}),
        ("structures.0.code", "２level", ASCII_ONLY, {"index": 0}),
        (
            "structures.0.code",
            "2level",
            "structures[0].code: không bắt đầu bằng chữ số",
            {"index": 0},
        ),
        ("structures.0.code", "two level", ASCII_ONLY, {"index": 0}),
        ("structures.0.code", "_", ASCII_ONLY, {"index": 0}),  # no letter or digit at all
        ("structures.0.code", _DROP, f"structures[0].code: {NEEDED}", {"field": "code"}),
        (  # the same code twice
            "structures.0.code",
            "two_level",
            "structures: mã cơ cấu bị trùng",
            {"codes": ["two_level", "two_level"]},
        ),
        ("structures.0.label", _DROP, f"structures[0].label: {NEEDED}", {"field": "label"}),
        ("structures.0.basis", "", f"structures[0].basis: {NEEDED}", {"field": "basis"}),
        (  # the same day as two_level
            "structures.0.in_force_from",
            "2025-07-01",
            "structures: hai cơ cấu cùng có hiệu lực từ một ngày",
            {},
        ),
        (
            "structures.0.in_force_from",
            "2025-13-01",
            "structures[0].in_force_from: month must be in 1..12",
            {"field": "in_force_from"},
        ),
        (
            "structures.0.geography_day",
            "30/06/2025",
            f"structures[0].geography_day: {NOT_ISO}: '30/06/2025'",
            {"field": "geography_day"},
        ),
        (
            "structures.0.geography_day",
            None,
            f"structures[0].geography_day: {NOT_ISO}: None",
            {"field": "geography_day"},
        ),
    ],
)
def test_a_malformed_document_is_refused_naming_what_is_wrong(
    path: str, value: Any, message: str, details: dict[str, Any]
):
    with pytest.raises(InvalidStructures) as refused:
        parse_structures(_set(path, value))
    assert (refused.value.message, refused.value.details) == (message, details)


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01"])
def test_days_outside_the_accepted_range_are_refused(day: str):
    with pytest.raises(DateOutOfRange) as refused:
        parse_structures(_set("structures.1.geography_day", day))
    assert refused.value.details["field"] == "structures[1].geography_day"


def test_the_effective_day_of_the_document_is_in_the_accepted_range_too():
    with pytest.raises(DateOutOfRange) as refused:
        parse_structures(_set("effective_from", "2101-01-01"))
    assert refused.value.details["field"] == "structures.effective_from"


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidStructures) as refused:
        parse_structures(["two_level"])  # type: ignore[arg-type]
    assert refused.value.message == "văn bản cơ cấu báo cáo phải là một đối tượng JSON"


def test_the_document_is_read_as_written_with_its_text_trimmed():
    content = seed()
    content["code"] = " co-cau "
    content["title"] = " Cơ cấu "
    content["structures"][1] |= {"code": " two_level ", "label": " Hai cấp ", "basis": " NQ "}
    spec = parse_structures(content)
    assert (spec.code, spec.title, spec.effective_from) == ("co-cau", "Cơ cấu", date(2025, 7, 1))
    two_level = spec.structures[1]
    assert (two_level.code, two_level.label, two_level.basis) == ("two_level", "Hai cấp", "NQ")
    assert (two_level.in_force_from, two_level.geography_day) == (date(2025, 7, 1),) * 2


def test_refusals_of_a_day_and_a_code_say_which_in_words():
    spec = parse_structures(seed())
    with pytest.raises(UnknownStructure) as before:
        spec.in_force_on(date(1999, 12, 31))
    assert before.value.message == "chưa có cơ cấu báo cáo nào có hiệu lực vào ngày 1999-12-31"
    assert before.value.details == {"day": "1999-12-31", "earliest": "2000-01-01"}
    with pytest.raises(UnknownStructure) as unknown:
        spec.named("four_level")
    assert unknown.value.message == "không có cơ cấu báo cáo 'four_level'"
    assert unknown.value.details["structure"] == "four_level"
