"""Reporting structures: the administrative geographies a report may roll its figures up
under, published as a rule document (:mod:`domain.rules`), never written in code.

Until 30/06/2025 units rolled up province → district → commune; from 01/07/2025 province →
commune (domain.md §9). Further rearrangements are expected (communes that miss the 2026
standards), so each structure is data: a code, a label, the day it came into force, and the
day whose unit tree it uses. A report asks for a structure by code, or for the one in force on
a day; a new arrangement is a new version of the document with one more structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.dates import check_process_dates, iso_day
from domain.errors import InvalidInput

STRUCTURES_CODE = "co-cau-bao-cao"


class InvalidStructures(InvalidInput):
    code = "invalid-structures"


class UnknownStructure(InvalidInput):
    code = "unknown-structure"


@dataclass(frozen=True)
class Structure:
    code: str
    label: str
    #: The first day this structure is the one in force.
    in_force_from: date
    #: The day whose unit tree the figures roll up under.
    geography_day: date
    basis: str


@dataclass(frozen=True)
class StructuresSpec:
    code: str
    title: str
    effective_from: date
    structures: tuple[Structure, ...]  # by in_force_from, earliest first

    def named(self, code: str) -> Structure:
        for structure in self.structures:
            if structure.code == code:
                return structure
        raise UnknownStructure(
            f"không có cơ cấu báo cáo '{code}'",
            structure=code,
            known=[s.code for s in self.structures],
        )

    def in_force_on(self, day: date) -> Structure:
        """The structure in force on ``day``: the latest to have come into force by then."""
        found = [s for s in self.structures if s.in_force_from <= day]
        if not found:
            raise UnknownStructure(
                f"chưa có cơ cấu báo cáo nào có hiệu lực vào ngày {day.isoformat()}",
                day=day.isoformat(),
                earliest=self.structures[0].in_force_from.isoformat(),
            )
        return found[-1]

    def labels(self) -> dict[str, str]:
        return {s.code: s.label for s in self.structures}


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidStructures(f"{where}.{key}: bắt buộc, là chuỗi không rỗng", field=key)
    return value.strip()


def _day(item: dict[str, Any], key: str, where: str) -> date:
    try:
        day = iso_day(item.get(key))
    except ValueError as exc:
        raise InvalidStructures(f"{where}.{key}: {exc}", field=key) from exc
    check_process_dates(**{f"{where}.{key}": day})
    return day


def parse_structures(content: dict[str, Any]) -> StructuresSpec:
    """Validate a published structures document; refuse the first thing that is wrong."""
    if not isinstance(content, dict):
        raise InvalidStructures("văn bản cơ cấu báo cáo phải là một đối tượng JSON")
    code = _text(content, "code", "structures")
    title = _text(content, "title", "structures")
    effective_from = _day(content, "effective_from", "structures")
    raw = content.get("structures")
    if not isinstance(raw, list) or not raw:
        raise InvalidStructures("structures: cần ít nhất một cơ cấu", field="structures")
    found: list[Structure] = []
    for index, item in enumerate(raw):
        where = f"structures[{index}]"
        if not isinstance(item, dict):
            raise InvalidStructures(f"{where}: phải là một đối tượng", index=index)
        structure_code = _text(item, "code", where)
        if not structure_code.isascii() or not structure_code.replace("_", "").isalnum():
            raise InvalidStructures(
                f"{where}.code: chỉ chữ cái, chữ số ASCII và dấu gạch dưới", index=index
            )
        if structure_code[0].isdigit():
            raise InvalidStructures(f"{where}.code: không bắt đầu bằng chữ số", index=index)
        found.append(
            Structure(
                code=structure_code,
                label=_text(item, "label", where),
                in_force_from=_day(item, "in_force_from", where),
                geography_day=_day(item, "geography_day", where),
                basis=_text(item, "basis", where),
            )
        )
    codes = [s.code for s in found]
    if len(set(codes)) != len(codes):
        raise InvalidStructures("structures: mã cơ cấu bị trùng", codes=codes)
    found.sort(key=lambda s: s.in_force_from)
    days = [s.in_force_from for s in found]
    if len(set(days)) != len(days):
        raise InvalidStructures("structures: hai cơ cấu cùng có hiệu lực từ một ngày")
    return StructuresSpec(code, title, effective_from, tuple(found))
