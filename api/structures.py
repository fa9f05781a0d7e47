"""Which reporting structure a request means: one named by its code, or the one in force on
a day (today by default). The structures are published rule data (domain/structures.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from api.dates import ProcessDate
from application.ledger import Ledger
from domain.errors import InvalidInput
from domain.structures import Structure

StructureCode = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="Mã cơ cấu báo cáo đã công bố (GET /rules/reporting-structures), ví dụ"
        " two_level, three_level; trống: cơ cấu có hiệu lực vào ngày structure_on",
        examples=["two_level"],
    ),
]
StructureOn = Annotated[
    ProcessDate | None,
    Query(
        description="Cơ cấu báo cáo có hiệu lực vào ngày này (mặc định hôm nay); không dùng"
        " cùng structure",
        examples=["2025-06-30"],
    ),
]


def chosen_structure(ledger: Ledger, code: str | None, on: date | None) -> Structure:
    """The structure named ``code``, else the one in force on ``on`` (else today)."""
    structures = ledger.criteria.structures()
    if code is not None and on is not None:
        raise InvalidInput(
            "chọn cơ cấu theo mã (structure) hoặc theo ngày (structure_on), không cả hai",
            structure=code,
            structure_on=on.isoformat(),
        )
    if code is not None:
        return structures.named(code)
    return structures.in_force_on(on or ledger.records.today())
