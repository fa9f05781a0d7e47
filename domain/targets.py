"""Programme targets (QĐ 387/QĐ-TTg, QĐ 677/QĐ-TTg): rates a programme sets for a year
("70% of families are Gia đình học tập by 2025"). Published as a rule document
(:mod:`domain.rules`); reports compare the rates they compute with the targets in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.dates import iso_day
from domain.errors import InvalidInput
from domain.glossary import TitleModel
from domain.text import as_number, as_whole

TARGETS_CODE = "muc-tieu-chuong-trinh"


class InvalidTargets(InvalidInput):
    code = "invalid-targets"


@dataclass(frozen=True)
class Target:
    model: TitleModel
    year: int
    rate: Decimal  # percent
    target_groups: tuple[str, ...]  # for Công dân học tập: which groups the rate is over
    basis: str
    note: str | None


@dataclass(frozen=True)
class TargetsSpec:
    code: str
    title: str
    effective_from: date
    targets: tuple[Target, ...]

    def for_year(self, model: TitleModel, cycle_year: int) -> list[Target]:
        """The targets of the first target year at or after ``cycle_year`` (else the last)."""
        mine = [t for t in self.targets if t.model is model]
        years = sorted({t.year for t in mine})
        if not years:
            return []
        year = next((y for y in years if y >= cycle_year), years[-1])
        return [t for t in mine if t.year == year]


def parse_targets(content: dict[str, Any]) -> TargetsSpec:
    try:
        effective_from = iso_day(content["effective_from"])
        code = str(content["code"]).strip()
        title = str(content["title"]).strip()
        raw = content["targets"]
    except (KeyError, ValueError) as exc:
        raise InvalidTargets(f"cần code, title, effective_from và targets ({exc})") from exc
    if not code or not title or not isinstance(raw, list) or not raw:
        raise InvalidTargets("cần code, title và ít nhất một mục tiêu")
    targets = []
    for index, item in enumerate(raw):
        try:
            rate = as_number(item["rate"])
            target = Target(
                model=TitleModel(item["model"]),
                year=as_whole(item["year"]),
                rate=rate,
                target_groups=tuple(str(g) for g in item.get("target_groups") or ()),
                basis=str(item["basis"]),
                note=item.get("note"),
            )
        except (KeyError, ValueError, InvalidOperation, TypeError) as exc:
            raise InvalidTargets(f"targets[{index}]: {exc}", index=index) from exc
        if not rate.is_finite() or not Decimal(0) < rate <= Decimal(100):
            raise InvalidTargets(f"targets[{index}].rate: trong khoảng (0, 100]", index=index)
        targets.append(target)
    return TargetsSpec(code, title, effective_from, tuple(targets))
