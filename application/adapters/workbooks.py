"""Excel workbooks (.xlsx) in and out: the import templates, and the cells of a filled one.

Reading recognises each sheet by its title or by its header row (found among the first rows,
headers compared without case, accents, spaces or marks such as ``(*)``; a header merged
across two rows is read from the row above), and hands back the raw cell values with their
row numbers; judging them is :mod:`application.services.import_check`'s work. A file that is
not a workbook, or that would unpack to more than :data:`MAX_UNPACKED_BYTES` or hold more than
:data:`MAX_ROWS` rows in a sheet, is refused as a whole before any row is read.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from domain.imports import SHEETS, Column, Sheet, SheetKind

MAX_ROWS = 50_000
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
CATALOGUE_TITLE = "Danh mục"
INSTRUCTIONS_TITLE = "Hướng dẫn"


@lru_cache(maxsize=4096)  # headers and code lists repeat on every row
def folded(text: str) -> str:
    """Text compared loosely: no accents (đ as d), lower case, letters and digits only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return " ".join(words)


@dataclass(frozen=True)
class RawRow:
    number: int  # as Excel numbers it (1 is the first row)
    cells: dict[str, Any]  # column key -> the value openpyxl read (None when empty)


@dataclass
class RawSheet:
    sheet: Sheet
    header_row: int
    rows: list[RawRow] = field(default_factory=list)


@dataclass
class RawWorkbook:
    sheets: dict[SheetKind, RawSheet] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the file as a whole refused

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets.values())


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook at all (said in Vietnamese)."""


def read_workbook(content: bytes) -> RawWorkbook:
    """The recognised sheets of an .xlsx file and their non-empty rows."""
    book = RawWorkbook()
    try:
        _check_archive(content)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except WorkbookRefused as refused:
        book.problems.append(str(refused))
        return book
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        book.problems.append("không đọc được tệp: cần tệp Excel .xlsx (dùng tệp mẫu)")
        return book
    try:
        for worksheet in workbook.worksheets:
            found = _recognise(worksheet)
            if found is None:
                _explain_unrecognised(worksheet, book)
                continue
            if found[0].kind in book.sheets:
                continue
            sheet, header_row, positions = found
            raw = RawSheet(sheet, header_row)
            for number, values in enumerate(
                worksheet.iter_rows(min_row=header_row + 1, max_col=MAX_COLUMNS, values_only=True),
                start=header_row + 1,
            ):
                cells = {key: _at(values, index) for key, index in positions.items()}
                if number - header_row > 2 * MAX_ROWS:  # styled but empty rows cost too
                    book.problems.append(
                        f"trang “{worksheet.title}” có hơn {2 * MAX_ROWS:,} dòng (kể cả dòng"
                        " trống): hãy xóa các dòng thừa hoặc chia tệp"
                    )
                    break
                if all(_blank(v) for v in cells.values()):
                    continue  # empty rows (and rows of columns we do not read) are skipped
                if len(raw.rows) >= MAX_ROWS:
                    book.problems.append(
                        f"trang “{worksheet.title}” có hơn {MAX_ROWS:,} dòng: hãy chia tệp"
                    )
                    break
                raw.rows.append(RawRow(number, cells))
            book.sheets[sheet.kind] = raw
    finally:
        workbook.close()
    if not book.sheets and not book.problems:
        titles = ", ".join(f"“{s.title}”" for s in SHEETS)
        book.problems.append(f"không tìm thấy trang nào có tiêu đề cột như tệp mẫu ({titles})")
    return book


def _check_archive(content: bytes) -> None:
    """Refuse a zip that would unpack to far more than any village keeps (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise WorkbookRefused("không đọc được tệp: cần tệp Excel .xlsx (dùng tệp mẫu)") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookRefused("tệp quá lớn khi giải nén: hãy chia tệp")


def _recognise(worksheet: Any) -> tuple[Sheet, int, dict[str, int]] | None:
    """The sheet spec this worksheet follows, its header row and each column's position."""
    rows = list(
        worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True)
    )
    by_title = {folded(s.title): s for s in SHEETS}
    best: tuple[int, Sheet, int, dict[str, int]] | None = None
    for index, row in enumerate(rows):
        above = rows[index - 1] if index else ()
        headers = [_header(_at(row, i)) or _header(_at(above, i)) for i in range(len(row))]
        for sheet in SHEETS:
            positions = _positions(sheet, headers)
            required = [c.key for c in sheet.columns if c.required]
            if not all(k in positions for k in required):
                continue
            score = len(positions) + (100 if by_title.get(folded(worksheet.title)) is sheet else 0)
            if best is None or score > best[0]:
                best = (score, sheet, index + 1, positions)
    return None if best is None else best[1:]


def _explain_unrecognised(worksheet: Any, book: RawWorkbook) -> None:
    """A sheet titled as one of ours whose header row was not found is a mistake to say."""
    sheet = next((s for s in SHEETS if folded(s.title) == folded(worksheet.title)), None)
    if sheet is None:
        return
    required = ", ".join(f"“{c.header}”" for c in sheet.columns if c.required)
    book.problems.append(
        f"trang “{worksheet.title}”: không tìm thấy hàng tiêu đề có các cột bắt buộc {required}"
    )


def _positions(sheet: Sheet, headers: Sequence[str]) -> dict[str, int]:
    """Where each column is: a header equal to one of its names, else one that starts
    with one of them (“Số CCCD/CMND” is “Số CCCD”)."""
    positions: dict[str, int] = {}
    for exact in (True, False):
        for column in sheet.columns:
            if column.key in positions:
                continue
            names = {folded(column.header), *column.variants}
            for index, header in enumerate(headers):
                if index in positions.values() or not header:
                    continue
                if header in names or (
                    not exact and any(header.startswith(f"{n} ") for n in names)
                ):
                    positions[column.key] = index
                    break
    return positions


def _header(value: Any) -> str:
    return folded(value) if isinstance(value, str) else ""


def _at(values: Sequence[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- templates --------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_template(
    sheets: Sequence[Sheet], villages: Sequence[tuple[str, str]] = (), unit_name: str = ""
) -> bytes:
    """An empty workbook to fill: an instructions sheet, one sheet per kind with headers,
    text-formatted code columns and drop-down lists, and the commune's villages if given."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None  # a new workbook has one sheet
    instructions.title = INSTRUCTIONS_TITLE
    _write_instructions(instructions, sheets, unit_name)
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(sheet.title), sheet, bool(villages))
    if villages:
        catalogue = workbook.create_sheet(CATALOGUE_TITLE)
        catalogue.append(["Mã thôn", "Tên thôn"])
        for code, name in villages:
            catalogue.append([code, name])
        catalogue.column_dimensions["B"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_instructions(worksheet: Any, sheets: Sequence[Sheet], unit_name: str) -> None:
    lines = [
        f"Tệp mẫu nhập danh sách{f' - {unit_name}' if unit_name else ''}",
        "",
        "1. Mỗi dòng một hộ hoặc một người; không gộp ô, không dùng công thức.",
        "2. Cột có dấu (*) là bắt buộc. Số CCCD và các mã nhập dạng văn bản (giữ số 0 ở đầu).",
        "3. Ngày nhập dd/mm/yyyy (ví dụ 03/09/1988) hoặc dạng ngày của Excel.",
        "4. Chọn giới tính, đối tượng, quan hệ từ danh sách thả xuống.",
        "5. Chạy thử trước: mọi lỗi được báo theo dòng và cột; chưa có gì được ghi cho đến khi"
        " tệp không còn lỗi và cán bộ xác nhận.",
        "6. Nhập lại cùng tệp không tạo bản ghi trùng; tệp đã sửa chỉ thêm phần mới.",
        "",
    ]
    for sheet in sheets:
        lines.append(f"Trang “{sheet.title}”:")
        for column in sheet.columns:
            choices = ", ".join(label for _, label in column.choices)
            detail = "; ".join(x for x in (column.note, choices and f"chọn: {choices}") if x)
            lines.append(f"  - {_title(column)}{f': {detail}' if detail else ''}")
        lines.append("")
    for line in lines:
        worksheet.append([line])
    worksheet["A1"].font = Font(bold=True, size=14)
    worksheet.column_dimensions["A"].width = 110


def _title(column: Column) -> str:
    return f"{column.header} (*)" if column.required else column.header


def _write_sheet(worksheet: Any, sheet: Sheet, with_villages: bool) -> None:
    worksheet.append([_title(c) for c in sheet.columns])
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cell = worksheet.cell(row=1, column=index)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True)
        worksheet.column_dimensions[letter].width = max(14, len(column.header) + 6)
        area = f"{letter}2:{letter}{MAX_ROWS + 1}"
        if column.key in ("cccd", "household_code", "village_code"):
            for row in range(2, 1002):  # the first thousand rows formatted as text
                worksheet.cell(row=row, column=index).number_format = "@"
        choices = [label for _, label in column.choices]
        if choices:
            formula = '"' + ",".join(choices) + '"'
        elif column.key == "village_code" and with_villages:
            formula = f"'{CATALOGUE_TITLE}'!$A$2:$A$1000"
        else:
            continue
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = "Chọn một giá trị trong danh sách"
        validation.errorTitle = column.header
        validation.add(area)
        worksheet.add_data_validation(validation)
