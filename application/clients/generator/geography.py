"""Generated provinces before and after the 2025 reform (shared/domain.md §9).

Until 2025-06-30 a province has districts, communes under them and villages under communes.
On 2025-07-01 the districts end; some groups of two or three communes of a district merge into
a new commune under the province (their villages move to it), the others move to the province
as they are. Every unit keeps its own history: records made before the reform stay with the
old units, and roll-ups go through the recorded succession.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from application.clients.generator.names import Names
from domain.glossary import UnitLevel
from domain.registry import TWO_LEVEL_GOVERNMENT_FROM, AdministrativeUnit

ESTABLISHED_ON = date(2008, 1, 1)
_TYPE_LABEL = {"tinh": "Tỉnh", "huyen": "Huyện", "thi_xa": "Thị xã", "xa": "Xã", "phuong": "Phường"}


@dataclass(slots=True)
class Commune:
    """A commune as it was before the reform, and the commune that carries it on after."""

    unit: AdministrativeUnit
    district: AdministrativeUnit
    villages: list[AdministrativeUnit]
    successor: AdministrativeUnit  # itself when it was only moved under the province

    @property
    def merged(self) -> bool:
        return self.successor is not self.unit


@dataclass(slots=True)
class Province:
    number: int
    unit: AdministrativeUnit
    cccd_prefix: int
    districts: list[AdministrativeUnit] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)
    new_communes: list[AdministrativeUnit] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.unit.code

    def units(self) -> list[AdministrativeUnit]:
        """Every unit of the province, parents before children."""
        old = [c.unit for c in self.communes]
        villages = [v for c in self.communes for v in c.villages]
        return [self.unit, *self.districts, *old, *self.new_communes, *villages]


def _full_name(unit_type: str, name: str) -> str:
    return f"{_TYPE_LABEL[unit_type]} {name}"


def _split(items: int, parts: int) -> list[int]:
    base, extra = divmod(items, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def build_province(number: int, communes: int, names: Names, rng: random.Random) -> Province:
    """Establish a province with ``communes`` pre-reform communes and apply the 2025 reform.

    Must run inside :func:`domain.base.acting`. At least one group of communes merges and at
    least one commune is only moved under the province, whatever the size.
    """
    taken: set[str] = set()
    code = f"MP{number:02d}"
    province = AdministrativeUnit.establish(
        code=code,
        name=f"Tỉnh {names.place(taken)}",
        level=UnitLevel.PROVINCE,
        unit_type="tinh",
        parent=None,
        valid_from=ESTABLISHED_ON,
    )
    result = Province(number, province, cccd_prefix=100 + number)
    district_sizes = _split(communes, max(2, communes // 10))
    serial = 0
    for d_index, size in enumerate(district_sizes, start=1):
        d_type = "thi_xa" if rng.random() < 0.15 else "huyen"
        district = AdministrativeUnit.establish(
            code=f"{code}-H{d_index:02d}",
            name=_full_name(d_type, names.place(taken)),
            level=UnitLevel.DISTRICT,
            unit_type=d_type,
            parent=province,
            valid_from=ESTABLISHED_ON,
        )
        result.districts.append(district)
        for _ in range(size):
            serial += 1
            result.communes.append(_commune(code, serial, district, d_type, names, rng, taken))
    _reform(result, names, rng, taken)
    return result


def _commune(
    code: str,
    serial: int,
    district: AdministrativeUnit,
    district_type: str,
    names: Names,
    rng: random.Random,
    taken: set[str],
) -> Commune:
    urban = rng.random() < (0.5 if district_type == "thi_xa" else 0.1)
    c_type = "phuong" if urban else "xa"
    unit = AdministrativeUnit.establish(
        code=f"{code}-X{serial:03d}",
        name=_full_name(c_type, names.place(taken)),
        level=UnitLevel.COMMUNE,
        unit_type=c_type,
        parent=district,
        valid_from=ESTABLISHED_ON,
    )
    v_type, v_label = ("to_dan_pho", "Tổ dân phố") if urban else ("thon", "Thôn")
    villages = [
        AdministrativeUnit.establish(
            code=f"{unit.code}-T{v:02d}",
            name=f"{v_label} {v}",
            level=UnitLevel.VILLAGE,
            unit_type=v_type,
            parent=unit,
            valid_from=ESTABLISHED_ON,
        )
        for v in range(1, rng.randint(3, 7) + 1)
    ]
    return Commune(unit, district, villages, successor=unit)


def _reform(province: Province, names: Names, rng: random.Random, taken: set[str]) -> None:
    """Merge groups of communes of the same district; move the rest under the province."""
    legal_basis = (
        f"Nghị quyết của UBTVQH về sắp xếp đơn vị hành chính cấp xã của "
        f"{province.unit.name} năm 2025 (dữ liệu mô phỏng)"
    )
    by_district: dict[str, list[Commune]] = {}
    for commune in province.communes:
        by_district.setdefault(commune.district.code, []).append(commune)
    groups = list(by_district.values())
    for d_index, communes in enumerate(groups):
        keep_last = d_index == len(groups) - 1  # at least one commune is only moved
        i, stop = 0, len(communes) - (1 if keep_last else 0)
        while i < stop:
            first_group = d_index == 0 and i == 0
            if stop - i >= 2 and (first_group or rng.random() < 0.55):
                size = 3 if stop - i >= 3 and rng.random() < 0.3 else 2
                _merge(province, communes[i : i + size], names, taken, legal_basis)
                i += size
            else:
                _move_under_province(province, communes[i])
                i += 1
        if keep_last:
            _move_under_province(province, communes[-1])


def _merge(
    province: Province, communes: list[Commune], names: Names, taken: set[str], legal_basis: str
) -> None:
    urban = any(c.unit.unit_type == "phuong" for c in communes)
    c_type = "phuong" if urban else "xa"
    successor = AdministrativeUnit.establish(
        code=f"{province.code}-XM{len(province.new_communes) + 1:03d}",
        name=_full_name(c_type, names.place(taken)),
        level=UnitLevel.COMMUNE,
        unit_type=c_type,
        parent=province.unit,
        valid_from=TWO_LEVEL_GOVERNMENT_FROM,
        legal_basis=legal_basis,
    )
    province.new_communes.append(successor)
    for commune in communes:
        commune.unit.merge_into(successor, TWO_LEVEL_GOVERNMENT_FROM, legal_basis)
        commune.successor = successor
        for village in commune.villages:
            village.change_parent(
                successor,
                TWO_LEVEL_GOVERNMENT_FROM,
                f"Sáp nhập {commune.unit.name} vào {successor.name}",
            )


def _move_under_province(province: Province, commune: Commune) -> None:
    commune.unit.change_parent(
        province.unit,
        TWO_LEVEL_GOVERNMENT_FROM,
        "Chính quyền địa phương hai cấp: kết thúc hoạt động cấp huyện",
    )
