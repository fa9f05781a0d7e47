"""The check of a filled workbook: every row, every cell, before anything is written.

:func:`check_workbook` is pure: the cells come from :mod:`application.adapters.workbooks`,
today's date and what the ledger already knows come in through :class:`LedgerFacts`. It
returns the rows it could read and every mistake it found, each naming its sheet, row and
column in Vietnamese, so that the whole file is reported at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Protocol
from uuid import UUID

from application.adapters.vault import normalise_cccd
from application.adapters.workbooks import RawRow, RawSheet, RawWorkbook, folded
from domain.dates import EARLIEST_BIRTH_DAY
from domain.errors import InvalidInput
from domain.imports import (
    HOUSEHOLDS,
    PERSONS,
    REGISTRATIONS,
    Column,
    Sheet,
    SheetKind,
    clan_id_for,
)
from domain.text import REFUSED_TEXT, refused_character

MAX_TEXT = 200
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_FORMULA_STARTS = ("=", "+", "@")


class Registration(Enum):
    """What the ledger knows of a CCCD number seen in a file."""

    FREE = "free"
    HERE = "here"  # registered, living in the row's village: nothing new to write
    ELSEWHERE = "elsewhere"


class LedgerFacts(Protocol):
    def village(self, code: str) -> UUID | None:
        """The village of the importing commune with this code, if any."""

    def registration(self, cccd: str, village_id: UUID) -> Registration: ...

    def household_exists(self, village_id: UUID, household_code: str) -> bool: ...

    def person_in_commune(self, cccd: str) -> tuple[bool, str | None]:
        """Whether a person with this CCCD is registered in the commune, and their group."""

    def criteria_in_force(self, model: str, group: str | None) -> bool:
        """Whether a criteria set is in force today for this title and target group."""

    def clan_exists(self, village_id: UUID, clan_name: str) -> bool:
        """Whether the clan of this village and name (as an import names clans) is registered."""


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}, dòng {self.row}, cột “{self.column}”: {self.message}"


@dataclass(frozen=True)
class HouseholdRow:
    row: int
    code: str
    village_code: str
    village_id: UUID
    name: str
    clan: str | None = None  # the clan of the village the household belongs to


@dataclass(frozen=True)
class PersonRow:
    row: int
    cccd: str
    full_name: str
    birth_date: date | None
    gender: str | None
    ethnicity: str | None
    target_group: str | None
    village_code: str
    village_id: UUID
    household_code: str | None
    relation: str | None
    registered: bool  # already in the ledger in this village


@dataclass(frozen=True)
class RegistrationRow:
    row: int
    model: str
    cycle_year: int
    cccd: str | None  # a person's title
    village_id: UUID | None  # a household's, clan's or community's title: its village
    household_code: str | None  # a household's title: its code
    clan: str | None = None  # a clan's title: its name in the village


@dataclass
class CheckReport:
    households: list[HouseholdRow] = field(default_factory=list)
    persons: list[PersonRow] = field(default_factory=list)
    registrations: list[RegistrationRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    row_count: int = 0

    @property
    def sheet_kinds(self) -> set[SheetKind]:
        """The kinds of sheet that gave at least one row."""
        rows = (
            (SheetKind.HOUSEHOLDS, self.households),
            (SheetKind.PERSONS, self.persons),
            (SheetKind.REGISTRATIONS, self.registrations),
        )
        return {kind for kind, found in rows if found}

    @property
    def clean(self) -> bool:
        return not self.errors and not self.problems and self.row_count > 0

    @property
    def rows_with_errors(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})


class _Row:
    """Reads one raw row cell by cell, collecting errors instead of stopping at the first."""

    def __init__(self, sheet: Sheet, raw: RawRow, errors: list[CellError]) -> None:
        self.sheet, self.raw, self.errors = sheet, raw, errors
        self.failed = False

    def error(self, key: str, message: str) -> None:
        self.failed = True
        column = self.sheet.column(key)
        self.errors.append(CellError(self.sheet.title, self.raw.number, column.header, message))

    def text(self, key: str) -> str | None:
        """The cell as clean NFC text, or None when empty (an error if it is required)."""
        column = self.sheet.column(key)
        value = self.raw.cells.get(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = None if value is None else str(value).strip()
        if not text:
            if column.required:
                self.error(key, "bắt buộc, đang để trống")
            return None
        if text.startswith(_FORMULA_STARTS):
            self.error(key, "ô chứa công thức (bắt đầu bằng =, + hoặc @): hãy dán giá trị")
            return None
        bad = refused_character(text)
        if bad is not None:
            self.error(key, f"{REFUSED_TEXT} ({bad})")
            return None
        if len(text) > MAX_TEXT:
            self.error(key, f"quá dài ({len(text)} ký tự, tối đa {MAX_TEXT})")
            return None
        return unicodedata.normalize("NFC", " ".join(text.split()))

    def choice(self, key: str) -> str | None:
        column: Column = self.sheet.column(key)
        text = self.text(key)
        if text is None:
            return None
        wanted = folded(text)
        for code, label in column.choices:
            if wanted in (folded(label), folded(code.replace("_", " "))):
                return code
        labels = ", ".join(label for _, label in column.choices)
        self.error(key, f"“{text}” không có trong danh sách ({labels})")
        return None

    def cccd(self) -> str | None:
        value = self.raw.cells.get("cccd")
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = str(int(value)) if float(value).is_integer() else str(value)
            if len(digits) not in (9, 12):
                self.error(
                    "cccd",
                    f"số CCCD bị Excel lưu dạng số ({digits}, mất số 0 ở đầu): "
                    "định dạng cột là Văn bản rồi nhập lại",
                )
                return None
        text = self.text("cccd")
        if text is None:
            return None
        try:
            return normalise_cccd(text)
        except InvalidInput as error:
            self.error("cccd", f"“{text}”: {error.message}")
            return None

    def birth_date(self, today: date) -> date | None:
        value = self.raw.cells.get("birth_date")
        if isinstance(value, datetime):
            day: date | None = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            day = _excel_serial(value)
        else:
            text = self.text("birth_date")
            if text is None:
                return None
            day = _date_text(text)
        if day is None:
            self.error("birth_date", f"“{value}” không phải ngày (dd/mm/yyyy)")
            return None
        if day > today:
            self.error("birth_date", f"ngày {day:%d/%m/%Y} ở tương lai (hôm nay {today:%d/%m/%Y})")
            return None
        if day < EARLIEST_BIRTH_DAY:
            self.error("birth_date", f"ngày {day:%d/%m/%Y} trước năm 1900")
            return None
        return day


def _excel_serial(value: float) -> date | None:
    if not float(value).is_integer() or not 1 <= value <= 2_958_465:  # 9999-12-31
        return None
    return _EXCEL_EPOCH + timedelta(days=int(value))


def _date_text(text: str) -> date | None:
    if not text.isascii():  # digits of another script are not read as dates
        return None
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _key(village_code: str, household_code: str) -> tuple[str, str]:
    return village_code.casefold(), household_code.casefold()


def check_workbook(book: RawWorkbook, today: date, facts: LedgerFacts) -> CheckReport:
    """Every row of the workbook checked; the rows read and every mistake found."""
    report = CheckReport(problems=list(book.problems), row_count=book.row_count)
    households = book.sheets.get(SheetKind.HOUSEHOLDS)
    in_file: dict[tuple[str, str], HouseholdRow] = {}
    if households is not None:
        in_file = _check_households(households, facts, report)
    persons = book.sheets.get(SheetKind.PERSONS)
    if persons is not None:
        _check_persons(persons, today, facts, in_file, report)
    registrations = book.sheets.get(SheetKind.REGISTRATIONS)
    if registrations is not None:
        _check_registrations(registrations, today, facts, in_file, report)
    return report


def _village(row: _Row, facts: LedgerFacts) -> tuple[str, UUID] | None:
    code = row.text("village_code")
    if code is None:
        return None
    village_id = facts.village(code)
    if village_id is None:
        row.error("village_code", f"không có thôn mã “{code}” trong đơn vị đang nhập")
        return None
    return code, village_id


def _check_households(
    sheet: RawSheet, facts: LedgerFacts, report: CheckReport
) -> dict[tuple[str, str], HouseholdRow]:
    seen: dict[tuple[str, str], HouseholdRow] = {}
    for raw in sheet.rows:
        row = _Row(HOUSEHOLDS, raw, report.errors)
        code, village, name = row.text("household_code"), _village(row, facts), row.text("name")
        clan = row.text("clan")
        if code is not None and village is not None:
            first = seen.get(_key(village[0], code))
            if first is not None:
                row.error("household_code", f"mã hộ “{code}” trùng với dòng {first.row}")
        if row.failed or code is None or village is None or name is None:
            continue
        household = HouseholdRow(raw.number, code, village[0], village[1], name, clan)
        seen[_key(village[0], code)] = household
        report.households.append(household)
    return seen


def _check_persons(
    sheet: RawSheet,
    today: date,
    facts: LedgerFacts,
    households: dict[tuple[str, str], HouseholdRow],
    report: CheckReport,
) -> None:
    seen: dict[str, int] = {}
    for raw in sheet.rows:
        row = _Row(PERSONS, raw, report.errors)
        cccd = row.cccd()
        full_name = row.text("full_name")
        born = row.birth_date(today)
        gender, ethnicity = row.choice("gender"), row.text("ethnicity")
        target_group = row.choice("target_group")
        village = _village(row, facts)
        household_code, relation = row.text("household_code"), row.choice("relation")
        registered = Registration.FREE
        if cccd is not None:
            if cccd in seen:
                row.error("cccd", f"số CCCD trùng với dòng {seen[cccd]}")
            else:
                seen[cccd] = raw.number
            if village is not None:
                registered = facts.registration(cccd, village[1])
                if registered is Registration.ELSEWHERE:
                    row.error("cccd", "số CCCD đã được đăng ký ở đơn vị khác")
        if household_code is not None and village is not None:
            _check_household_of(row, village, household_code, households, facts)
        if relation is not None and household_code is None:
            row.error("household_code", "có quan hệ với chủ hộ nhưng thiếu mã hộ")
        if row.failed or cccd is None or full_name is None or village is None:
            continue
        report.persons.append(
            PersonRow(
                raw.number,
                cccd,
                full_name,
                born,
                gender,
                ethnicity,
                target_group,
                village[0],
                village[1],
                household_code,
                relation,
                registered is Registration.HERE,
            )
        )


def _check_household_of(
    row: _Row,
    village: tuple[str, UUID],
    code: str,
    households: dict[tuple[str, str], HouseholdRow],
    facts: LedgerFacts,
) -> None:
    if _key(village[0], code) in households or facts.household_exists(village[1], code):
        return
    elsewhere = [h for h in households.values() if h.code.casefold() == code.casefold()]
    if elsewhere:
        row.error(
            "household_code",
            f"hộ “{code}” thuộc thôn {elsewhere[0].village_code}, không phải thôn {village[0]}",
        )
    else:
        row.error(
            "household_code",
            f"hộ “{code}” không có ở trang Hộ gia đình và chưa được đăng ký",
        )


_MODEL_LABELS = dict(REGISTRATIONS.column("title").choices)


def _check_registrations(
    sheet: RawSheet,
    today: date,
    facts: LedgerFacts,
    households: dict[tuple[str, str], HouseholdRow],
    report: CheckReport,
) -> None:
    """A title per row for a person (by CCCD), a household (by village and code), a clan
    (by village and name) or a village as a community (by its code), each in the file or
    registered in the commune, once per title and year."""
    persons = {p.cccd: p for p in report.persons}
    clans = {clan_id_for(h.village_id, h.clan) for h in households.values() if h.clan}
    seen: dict[tuple[str, int, str], int] = {}
    for raw in sheet.rows:
        row = _Row(REGISTRATIONS, raw, report.errors)
        model, year = row.choice("title"), _year(row, today)
        if model is None or year is None:
            continue
        code: str | None = None
        clan: str | None = None
        if model == "cong_dan_hoc_tap":
            subject, village_id, group = _registered_person(row, facts, persons)
        else:
            village = _village_of_title(row, facts, model)
            if model == "gia_dinh_hoc_tap":
                code = _named(row, "household_code", "cần mã hộ với danh hiệu Gia đình học tập")
            elif model == "dong_ho_hoc_tap":
                clan = _named(row, "clan", "cần tên dòng họ với danh hiệu Dòng họ học tập")
            if village is None or row.failed:
                continue
            subject, village_id, group = str(village[1]), village[1], None
            if code is not None:
                _check_household_of(row, village, code, households, facts)
                subject = f"{village[0]}/{code}".casefold()
            if clan is not None:
                clan_id = clan_id_for(village[1], clan)
                subject = str(clan_id)
                if clan_id not in clans and not facts.clan_exists(village[1], clan):
                    row.error(
                        "clan",
                        f"dòng họ “{clan}” không có ở trang Hộ gia đình của thôn {village[0]} "
                        "và chưa được đăng ký",
                    )
        if subject is None or row.failed:
            continue
        first = seen.get((model, year, subject))
        if first is not None:
            row.error("title", f"đã đăng ký danh hiệu này cho năm {year} ở dòng {first}")
            continue
        seen[(model, year, subject)] = raw.number
        if not facts.criteria_in_force(model, group):
            for_group = f" cho nhóm “{group}”" if group else ""
            row.error(
                "title",
                f"chưa có bộ tiêu chí {_MODEL_LABELS[model]} đang áp dụng{for_group}",
            )
            continue
        cccd = subject if model == "cong_dan_hoc_tap" else None
        report.registrations.append(
            RegistrationRow(raw.number, model, year, cccd, village_id, code, clan)
        )


def _village_of_title(row: _Row, facts: LedgerFacts, model: str) -> tuple[str, UUID] | None:
    """The village a collective's title names: required, and of the importing commune."""
    code = _named(row, "village_code", f"cần mã thôn với danh hiệu {_MODEL_LABELS[model]}")
    if code is None:
        return None
    village_id = facts.village(code)
    if village_id is None:
        row.error("village_code", f"không có thôn mã “{code}” trong đơn vị đang nhập")
        return None
    return code, village_id


def _named(row: _Row, key: str, missing: str) -> str | None:
    """A cell the row's title needs: its text, or a mistake when it is left empty."""
    errors = len(row.errors)
    text = row.text(key)
    if text is None and len(row.errors) == errors:
        row.error(key, missing)
    return text


def _year(row: _Row, today: date) -> int | None:
    text = row.text("cycle_year")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        row.error("cycle_year", f"“{text}” không phải năm (ví dụ {today.year})")
        return None
    year = int(text)
    if not today.year - 1 <= year <= today.year + 1:
        row.error(
            "cycle_year", f"năm {year} ngoài chu kỳ đăng ký ({today.year - 1}-{today.year + 1})"
        )
        return None
    return year


def _registered_person(
    row: _Row, facts: LedgerFacts, persons: dict[str, PersonRow]
) -> tuple[str | None, UUID | None, str | None]:
    """(CCCD, village, target group) of the person a row names, from the file or the ledger."""
    if row.raw.cells.get("cccd") is None:
        row.error("cccd", "cần số CCCD với danh hiệu Công dân học tập")
        return None, None, None
    cccd = row.cccd()
    if cccd is None:
        return None, None, None
    if cccd in persons:
        return cccd, persons[cccd].village_id, persons[cccd].target_group
    registered, group = facts.person_in_commune(cccd)
    if not registered:
        row.error("cccd", "không có người với số CCCD này ở trang Nhân khẩu hay trong xã")
        return None, None, None
    return cccd, None, group
