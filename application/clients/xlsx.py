"""One worksheet written as an Office Open XML workbook (.xlsx), directly.

The exports need one sheet of values: notes, a bold header row, numbers with a format, dates,
frozen panes under the header and column widths. A general library builds an object per
cell and costs tens of microseconds each (a province's statistics are ~50,000 cells); this
writes the few parts a spreadsheet program needs, with strings inline, in one pass.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from domain.errors import InvalidInput

#: Styles, by their index in styles.xml: general, header, whole, rate, date, date and time.
GENERAL, HEADER, WHOLE, RATE, DAY, MOMENT = range(6)
#: What XML 1.0 cannot carry (C0 controls other than tab, newline and carriage return): shown
#: as U+FFFD rather than refused, so one odd name cannot make the whole file fail.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EPOCH = datetime(1899, 12, 30)
#: The most rows a worksheet holds, in Excel and in LibreOffice.
MAX_ROWS = 1_048_576
#: Rows written to the package at a time.
ROWS_PER_CHUNK = 1000


class TooManyRows(InvalidInput):
    """More rows than one worksheet holds (a refusal: the file is never cut short)."""

    code = "too-many-rows"

    def __init__(self, limit: int, message: str = "") -> None:
        said = f"một trang tính chỉ chứa được {limit:,} dòng".replace(",", ".")
        super().__init__(message or said, limit=limit)
        self.limit = limit


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"'
    ' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass(frozen=True)
class Layout:
    """How the sheet looks: the header row (bold, panes frozen under it) and column widths."""

    title: str
    header_row: int
    widths: Sequence[float]


def workbook(layout: Layout, rows: Iterable[Sequence[Any]]) -> bytes:
    """The .xlsx file of one sheet holding ``rows`` (row 1 first; ``None`` leaves a cell
    empty). Whole numbers and rates are numbers with a thousands format, dates are dates."""
    out = io.BytesIO()
    write_workbook(layout, rows, out)
    return out.getvalue()


def write_workbook(layout: Layout, rows: Iterable[Sequence[Any]], out: IO[bytes]) -> None:
    """:func:`workbook`, written to ``out`` as the rows come: a sheet of a million rows never
    sits in memory whole. More rows than a worksheet holds raise :class:`TooManyRows`, with
    ``out`` part-written: write to a file the caller throws away on error."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("xl/workbook.xml", _workbook(layout.title))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in _sheet(layout, rows):
                part.write(chunk.encode())


def _workbook(title: str) -> str:
    name = escape(_text(title)[:31], {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _sheet(layout: Layout, rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The worksheet's XML, in chunks of :data:`ROWS_PER_CHUNK` rows."""
    top = layout.header_row + 1
    head = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{layout.header_row}"'
        f' topLeftCell="A{top}" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
    ]
    if layout.widths:
        head.append("<cols>")
        head += [
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(layout.widths, start=1)
        ]
        head.append("</cols>")
    head.append("<sheetData>")
    yield _text("".join(head))
    letters: list[str] = []
    parts: list[str] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise TooManyRows(MAX_ROWS)
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        header = number == layout.header_row
        cells = [
            _cell(f"{letter}{number}", value, header)
            for letter, value in zip(letters, row, strict=False)
            if value is not None
        ]
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(parts) == ROWS_PER_CHUNK:
            yield _text("".join(parts))
            parts.clear()
    parts.append("</sheetData></worksheet>")
    yield _text("".join(parts))


def _cell(ref: str, value: Any, header: bool) -> str:
    if isinstance(value, str):
        style = f' s="{HEADER}"' if header else ""
        text = _escaped(value)  # NFC and what XML cannot carry: once, below
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}" s="{WHOLE}"><v>{value}</v></c>'
    if isinstance(value, float | Decimal):
        number = float(value)
        if not math.isfinite(number):  # no number a spreadsheet can hold
            return _cell(ref, str(value), header)
        return f'<c r="{ref}" s="{RATE}"><v>{number!r}</v></c>'
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None) - EPOCH
        return f'<c r="{ref}" s="{MOMENT}"><v>{moment.total_seconds() / 86400!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DAY}"><v>{(value - EPOCH.date()).days}</v></c>'
    return _cell(ref, str(value), header)


def _escaped(value: str) -> str:
    """The cell's text as XML: a bare carriage return would be read back as a line feed
    (XML's line ends), so it is a character reference. Most cells need nothing, and looking
    first costs a third of escaping (a million-row export escapes about ten million)."""
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        return escape(value, {"\r": "&#13;"})
    return value


def _text(value: str) -> str:
    """NFC, with what XML cannot carry shown as U+FFFD. Over a whole part it is the same as
    over each text in it: the markup is ASCII, and its characters compose with nothing."""
    return NOT_XML.sub("\ufffd", unicodedata.normalize("NFC", value))
