"""A generated village workbook, as village heads fill the import template, with mistakes
seeded at known cells: for the import's tests and its benchmark.

:func:`village_workbook` draws households and their members from the seeded generator;
:func:`with_mistakes` spoils chosen cells, one mistake per row, and says where each is, so a
dry run must report exactly those cells; the unspoiled rows are the corrected file.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook

from application.clients.generator.names import Names, cccd_number
from domain.imports import HOUSEHOLDS, PERSONS, REGISTRATIONS

_PERSON_KEYS = [c.key for c in PERSONS.columns]
_HOUSEHOLD_KEYS = [c.key for c in HOUSEHOLDS.columns]
_REGISTRATION_KEYS = [c.key for c in REGISTRATIONS.columns]
#: The kinds of mistake seeded in turn: (what is done to the row, the column that is wrong).
MISTAKES = (
    "bad-cccd",
    "duplicate-cccd",
    "unknown-village",
    "missing-household",
    "future-birth",
    "formula",
    "control-character",
    "non-ascii-digits",
    "bad-gender",
    "registered-elsewhere",
)
_COLUMN_OF = {
    "bad-cccd": "cccd",
    "duplicate-cccd": "cccd",
    "unknown-village": "village_code",
    "missing-household": "household_code",
    "future-birth": "birth_date",
    "formula": "full_name",
    "control-character": "full_name",
    "non-ascii-digits": "cccd",
    "bad-gender": "gender",
    "registered-elsewhere": "cccd",
}


@dataclass
class VillageRows:
    households: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)

    def content(self) -> bytes:
        """The rows as an .xlsx workbook laid out like the template. Not written in
        openpyxl's write-only mode, which leaves out the sheet's dimension that Excel always
        writes (without it a reader parses each sheet twice)."""
        book = Workbook()
        first = book.active
        if first is not None:
            book.remove(first)
        for sheet, keys, rows in (
            (HOUSEHOLDS, _HOUSEHOLD_KEYS, self.households),
            (PERSONS, _PERSON_KEYS, self.persons),
            (REGISTRATIONS, _REGISTRATION_KEYS, self.registrations),
        ):
            if sheet is REGISTRATIONS and not rows:
                continue
            worksheet = book.create_sheet(sheet.title)
            worksheet.append([c.header for c in sheet.columns])
            for row in rows:
                worksheet.append([row.get(k) for k in keys])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


@dataclass(frozen=True)
class Mistake:
    kind: str
    sheet: str
    row: int  # as Excel numbers it
    column: str  # the header


def village_workbook(
    village_codes: Sequence[str], households: int, seed: int = 7, prefix: int = 30
) -> VillageRows:
    """``households`` households spread over the villages, two to five members each."""
    rng = random.Random(seed)
    names = Names(rng)
    rows = VillageRows()
    serial = 0
    for number in range(1, households + 1):
        village = village_codes[number % len(village_codes)]
        code = f"H{number:05d}"
        members = []
        head_gender = "nam" if rng.random() < 0.7 else "nu"
        for index in range(rng.randint(2, 5)):
            gender = head_gender if index == 0 else rng.choice(("nam", "nu"))
            born = names.born(1950, 2000) if index < 2 else names.born(2005, 2020)
            serial += 1
            relation = "Chủ hộ" if index == 0 else ("Vợ" if index == 1 else "Con")
            members.append(
                {
                    "cccd": cccd_number(prefix, gender, born, serial),
                    "full_name": str(names.person(gender)),
                    "birth_date": born.strftime("%d/%m/%Y"),
                    "gender": "Nam" if gender == "nam" else "Nữ",
                    "ethnicity": names.ethnicity(),
                    "target_group": rng.choice(("Nông dân", "Công nhân", "Cán bộ"))
                    if born.year < 2005
                    else None,
                    "village_code": village,
                    "household_code": code,
                    "relation": relation,
                }
            )
        head = members[0]
        title = "ông" if head["gender"] == "Nam" else "bà"
        rows.households.append(
            {
                "household_code": code,
                "village_code": village,
                "name": f"Hộ {title} {head['full_name']}",
            }
        )
        rows.persons.extend(members)
    return rows


def with_mistakes(
    rows: VillageRows, count: int, registered_elsewhere: str | None = None, seed: int = 11
) -> tuple[VillageRows, list[Mistake]]:
    """A copy of ``rows`` with ``count`` persons' rows spoiled, one mistake each, in turn
    through :data:`MISTAKES` (``registered-elsewhere`` only if such a number is given)."""
    rng = random.Random(seed)
    kinds = [k for k in MISTAKES if k != "registered-elsewhere" or registered_elsewhere]
    spoiled = VillageRows(rows.households, [dict(p) for p in rows.persons])
    chosen = sorted(rng.sample(range(1, len(rows.persons)), count))
    mistakes: list[Mistake] = []
    for turn, index in enumerate(chosen):
        kind = kinds[turn % len(kinds)]
        row = spoiled.persons[index]
        if kind == "duplicate-cccd" and index - 1 in chosen:
            kind = "bad-cccd"  # the row copied from must itself be clean
        if kind == "registered-elsewhere" and any(m.kind == kind for m in mistakes):
            kind = "non-ascii-digits"  # that number twice would also be a duplicate
        _spoil(row, kind, rows.persons[index - 1]["cccd"], registered_elsewhere)
        header = PERSONS.column(_COLUMN_OF[kind]).header
        mistakes.append(Mistake(kind, PERSONS.title, index + 2, header))
    return spoiled, mistakes


def _spoil(row: dict[str, Any], kind: str, previous_cccd: str, elsewhere: str | None) -> None:
    if kind == "bad-cccd":
        row["cccd"] = row["cccd"][:-1] + "O"
    elif kind == "duplicate-cccd":
        row["cccd"] = previous_cccd
    elif kind == "unknown-village":
        row["village_code"] = "KHONG-CO"
    elif kind == "missing-household":
        row["household_code"] = "H-KHONG-CO"
    elif kind == "future-birth":
        row["birth_date"] = date(2099, 1, 1).strftime("%d/%m/%Y")
    elif kind == "formula":
        row["full_name"] = '=HYPERLINK("http://x.invalid","Bình")'
    elif kind == "control-character":
        row["full_name"] = row["full_name"].replace(" ", "\x85", 1)
    elif kind == "non-ascii-digits":
        row["cccd"] = row["cccd"].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    elif kind == "bad-gender":
        row["gender"] = "X"
    elif kind == "registered-elsewhere" and elsewhere is not None:
        row["cccd"] = elsewhere
