"""Exports of the read models as CSV (UTF-8 with BOM, so spreadsheet programs read the
Vietnamese text right) and XLSX, with Vietnamese column headers.

The statistics export has the shape of the annual report: per unit, registered and
recognised per model, with rates.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import IO, Any

from application.clients.xlsx import Layout, write_workbook
from domain.glossary import TitleModel, label

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    """A table to export. ``rows`` may be an iterator read as the file is written (an
    export of a whole register): such a sheet is written once."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    notes: Sequence[str] = ()


#: Rows of CSV normalised and encoded at a time.
CSV_ROWS_PER_CHUNK = 1000


def to_csv(sheet: Sheet) -> bytes:
    out = io.BytesIO()
    write_csv(sheet, out)
    return out.getvalue()


def write_csv(sheet: Sheet, out: IO[bytes]) -> None:
    """UTF-8 with BOM, written as the rows come. NFC over each chunk of whole lines is NFC
    over the whole text: the separators (comma, quote, line end) are starters that compose
    with nothing, so that is the text of cells normalised one by one. A date is written as
    ISO 8601, a decimal as the number it is, None as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> None:
        out.write(unicodedata.normalize("NFC", buffer.getvalue()).encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()

    out.write(codecs.BOM_UTF8)
    writer.writerows([note] for note in sheet.notes)
    writer.writerow(sheet.headers)
    for number, row in enumerate(sheet.rows, start=1):
        writer.writerow(
            [v if (written := _CSV_CELLS.get(type(v))) is None else written(v) for v in row]
        )
        if number % CSV_ROWS_PER_CHUNK == 0:
            flush()
    flush()


#: Cells the csv writer would not write as they should read (it writes None as empty).
_CSV_CELLS: dict[type, Callable[[Any], Any]] = {
    date: date.isoformat,
    datetime: datetime.isoformat,
    Decimal: float,
}


def to_xlsx(sheet: Sheet) -> bytes:
    out = io.BytesIO()
    write_xlsx(sheet, out)
    return out.getvalue()


def write_xlsx(sheet: Sheet, out: IO[bytes]) -> None:
    """Numbers stay numbers (so a sum still works), shown with thousands grouped and rates
    with two decimals, which Excel and LibreOffice display with the reader's separators —
    "64,70" and "1.234" on a Vietnamese system; dates are dates; the header row is bold and
    stays in view. Written as the rows come; more rows than a worksheet holds raise
    :class:`~application.clients.xlsx.TooManyRows`."""
    header_row = len(sheet.notes) + 1
    rows = chain(([note] for note in sheet.notes), [sheet.headers], sheet.rows)
    widths = [max(12, min(40, len(header) + 2)) for header in sheet.headers]
    write_workbook(Layout(sheet.title, header_row, widths), rows, out)


STANDINGS_HEADERS = (
    "Mã hồ sơ",
    "Danh hiệu",
    "Năm",
    "Loại đối tượng",
    "Mã đối tượng",
    "Mã đơn vị hành chính",
    "Trạng thái",
    "Tổng điểm",
    "Xếp loại",
    "Số quyết định",
    "Ngày quyết định",
    "Hiệu lực từ",
    "Hiệu lực đến",
    "Bộ tiêu chí",
)


def illustrative_notes(illustrative: Mapping[str, str]) -> list[str]:
    """The line every export carries while a title is assessed under an illustrative set."""
    if not illustrative:
        return []
    titles = ", ".join(sorted({label(model) for model in illustrative.values()}))
    codes = ", ".join(sorted(illustrative))
    return [
        f"Lưu ý: {titles} đang xét theo bộ tiêu chí MINH HỌA ({codes}), chưa phải bộ tiêu chí"
        " chính thức; kết quả chỉ để minh họa quy trình."
    ]


def _set_code(code: str, illustrative: Mapping[str, str]) -> str:
    return f"{code} (minh họa)" if code in illustrative else code


def standings_sheet(
    rows: Iterable[dict[str, Any]], illustrative: Mapping[str, str] | None = None
) -> Sheet:
    shown = dict(illustrative or {})
    return Sheet(
        "Bảng xếp hạng",
        STANDINGS_HEADERS,
        (
            [
                r["case_id"],
                label(r["model"]),
                r["cycle_year"],
                label(r["subject_kind"]),
                r["subject_id"],
                r["unit_id"],
                label(r["status"]),
                r["total"],
                r["classification"],
                r["decision_number"],
                r["decided_on"],
                r["valid_from"],
                r["valid_until"],
                _set_code(r["criteria_set_code"], shown),
            ]
            for r in rows
        ),
        illustrative_notes(shown),
    )


REGISTER_HEADERS = (
    "Mã hồ sơ",
    "Danh hiệu",
    "Năm",
    "Loại đối tượng",
    "Mã đối tượng",
    "Kết quả",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan",
    "Chức danh người ký",
    "Căn cứ",
    "Hiệu lực từ",
    "Hiệu lực đến",
    "Tổng điểm",
    "Xếp loại",
    "Lý do",
)
OUTCOME_VI = {"granted": "Công nhận", "refused": "Không công nhận"}


#: The register's columns the sheet shows, in its order: what the export asks the view for.
REGISTER_COLUMNS = (
    "case_id",
    "model",
    "cycle_year",
    "subject_kind",
    "subject_id",
    "outcome",
    "decision_number",
    "decided_on",
    "authority_name",
    "signer_title",
    "legal_basis",
    "valid_from",
    "valid_until",
    "total",
    "classification",
    "reason",
)


def _outcome(outcome: str | None) -> str | None:
    return OUTCOME_VI.get(outcome or "", outcome)


#: How each shown column's stored value is written (None: as it is).
_REGISTER_CELLS: tuple[tuple[str, Callable[[Any], Any] | None], ...] = tuple(
    (column, {"model": label, "subject_kind": label, "outcome": _outcome}.get(column))
    for column in REGISTER_COLUMNS
)


def register_sheet(
    rows: Iterable[Mapping[str, Any]], illustrative: Mapping[str, str] | None = None
) -> Sheet:
    """One line per decided title; a row missing one of REGISTER_COLUMNS is a KeyError, never
    an empty cell."""
    return Sheet(
        "Sổ công nhận",
        REGISTER_HEADERS,
        ([r[c] if shown is None else shown(r[c]) for c, shown in _REGISTER_CELLS] for r in rows),
        illustrative_notes(illustrative or {}),
    )


def statistics_sheet(
    report: Any,
    structure_label: str,
    group_labels: Mapping[str, str] | None = None,
    illustrative: Mapping[str, str] | None = None,
) -> Sheet:
    """One row per unit; per model: registered, recognised and the rate (annual-report shape);
    then Công dân học tập per target group, named as the criteria sets name it: registered,
    assessed, recognised and the rate, the table a province publishes (domain.md §2.3)."""
    labels = dict(group_labels or {})
    models = [m.value for m in TitleModel]
    groups = sorted(
        {code for line in report.lines for code in line.by_group},
        key=lambda code: (list(labels).index(code) if code in labels else len(labels), code),
    )
    headers = ["Mã đơn vị", "Tên đơn vị", "Cấp"]
    for model in models:
        name = label(model)
        headers += [f"{name}: đăng ký", f"{name}: công nhận", f"{name}: tỷ lệ (%)"]
    for code in groups:
        name = f"{label(TitleModel.LEARNING_CITIZEN)} – {labels.get(code, code)}"
        headers += [
            f"{name}: đăng ký",
            f"{name}: đã đánh giá",
            f"{name}: công nhận",
            f"{name}: tỷ lệ trên đăng ký (%)",
        ]
    headers += [
        "Tổng đăng ký",
        "Tổng công nhận",
        "Tỷ lệ trên đăng ký (%)",
        "Tổng số đối tượng",
        "Tỷ lệ trên tổng số đối tượng (%)",
    ]
    rows = []
    for line in report.lines:
        row: list[Any] = [line.code, line.name, label(line.level)]
        for model in models:
            counts = line.by_model.get(model, {"registered": 0, "recognised": 0})
            registered, recognised = counts["registered"], counts["recognised"]
            rate = round(100 * recognised / registered, 2) if registered else None
            row += [registered, recognised, rate]
        figures = {group.code: group for group in line.groups(labels)}
        for code in groups:
            group = figures.get(code)
            row += (
                [group.registered, group.assessed, group.recognised, group.rate_of_registered]
                if group
                else [0, 0, 0, None]
            )
        row += [
            line.registered,
            line.recognised,
            line.rate_of_registered,
            line.subjects,
            line.rate_of_subjects,
        ]
        rows.append(row)
    notes = [
        f"Báo cáo kết quả công nhận các mô hình học tập năm {report.cycle_year}",
        f"Cơ cấu hành chính: {structure_label} (theo ngày {report.structure_day.isoformat()})",
    ]
    for p in report.progress:
        achieved = "chưa có số liệu" if p.achieved_rate is None else f"{p.achieved_rate}%"
        named = ", ".join(labels.get(g, g) for g in p.target_groups)
        groups_text = f" ({named})" if named else ""
        notes.append(
            f"Mục tiêu {label(p.model)}{groups_text} năm {p.year} theo {p.basis}: {p.target_rate}%;"
            f" đạt {achieved} ({p.recognised}/{p.population})"
        )
    notes += illustrative_notes(illustrative or {})
    return Sheet("Thống kê", headers, rows, notes)
