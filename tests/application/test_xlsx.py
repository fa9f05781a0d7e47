"""The exports' workbook, read back by openpyxl (what a spreadsheet program sees)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from application.clients import xlsx
from application.clients.exports import Sheet, to_xlsx
from application.clients.xlsx import NOT_XML
from tests.application.test_csv_export import EDGY_TEXT


def read(sheet: Sheet):
    return load_workbook(io.BytesIO(to_xlsx(sheet))).active


def test_numbers_stay_numbers_with_their_format_and_dates_stay_dates():
    book = read(
        Sheet(
            "Thống kê",
            ["Mã", "Số", "Tỷ lệ", "Ngày", "Lúc", "Có", "Trống"],
            [
                [
                    "X1",
                    1234,
                    Decimal("64.70"),
                    date(2025, 7, 1),
                    datetime(2025, 7, 1, 8, 30),
                    True,
                    None,
                ]
            ],
            ["Báo cáo năm 2025"],
        )
    )
    assert book.title == "Thống kê"
    assert [c.value for c in book[2]] == ["Mã", "Số", "Tỷ lệ", "Ngày", "Lúc", "Có", "Trống"]
    assert book["A2"].font.bold and not book["A3"].font.bold
    code, whole, rate, day, moment, yes = book[3][:6]
    assert (whole.value, whole.number_format) == (1234, "#,##0")
    assert (rate.value, rate.number_format) == (64.7, "#,##0.00")
    assert day.value == datetime(2025, 7, 1) and day.is_date
    assert moment.value == datetime(2025, 7, 1, 8, 30)
    assert yes.value is True and code.value == "X1" and book["G3"].value is None
    assert book.freeze_panes == "A3"
    assert book.column_dimensions["A"].width == 12


def test_text_is_escaped_nfc_and_a_control_character_cannot_break_the_file():
    decomposed = "Xa\u0303 Ho\u0300a Bi\u0300nh"  # NFD: combining marks
    hostile = ["<b>&amp;</b>", " leading and trailing ", "a\x00b\x1bc\x7f", decomposed, "１２"]
    book = read(Sheet("Sổ <công> nhận & \x01", ["Tên"], [[v] for v in hostile]))
    assert [c.value for c in book["A"][1:]] == [
        "<b>&amp;</b>",
        " leading and trailing ",
        "a\ufffdb\ufffdc\x7f",
        "Xã Hòa Bình",
        "１２",
    ]
    assert book.title == "Sổ <công> nhận & \ufffd"


def test_a_sheet_of_fifty_thousand_cells_is_one_zip_of_six_parts():
    rows = [[f"Đơn vị {n}", n, n / 7] for n in range(17_000)]
    data = to_xlsx(Sheet("Thống kê", ["Đơn vị", "Số", "Tỷ lệ"], rows))
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 6
    book = read(Sheet("Thống kê", ["Đơn vị", "Số", "Tỷ lệ"], rows))
    assert book.max_row == 17_001 and book["C17001"].value == 16_999 / 7
    assert book["AA1"].value is None


@settings(max_examples=40)
@given(st.lists(st.lists(EDGY_TEXT, min_size=1, max_size=3), min_size=1, max_size=4))
def test_each_text_cell_reads_back_as_its_own_nfc_form_with_what_xml_cannot_carry_replaced(
    rows: list[list[str]],
):
    """The sheet is normalised once as a whole; each cell must read as if done one by one."""
    book = read(Sheet("t", ["Cột"] * 3, rows))
    for number, row in enumerate(rows, start=2):
        for column, text in enumerate(row, start=1):
            expected = NOT_XML.sub("\ufffd", unicodedata.normalize("NFC", text))
            # openpyxl reads an empty inline string as no value
            assert (book.cell(number, column).value or "") == expected


@settings(max_examples=30)
@given(
    st.lists(st.lists(EDGY_TEXT, min_size=1, max_size=3), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=4),
)
def test_written_in_chunks_the_sheet_is_the_one_written_at_once(rows: list[list[str]], chunk: int):
    """Each chunk of rows is normalised on its own: the sheet's XML is the same as the whole
    normalised once, whatever text sits at a chunk's edge."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsx, "ROWS_PER_CHUNK", chunk)
        chunked = to_xlsx(Sheet("t", ["Cột"] * 3, iter(rows)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsx, "ROWS_PER_CHUNK", len(rows) + 2)
        at_once = to_xlsx(Sheet("t", ["Cột"] * 3, rows))
    assert _part(chunked, "xl/worksheets/sheet1.xml") == _part(at_once, "xl/worksheets/sheet1.xml")


def test_a_sheet_holds_its_limit_of_rows_and_one_more_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    header_and_four = Sheet("t", ["Số"], ([n] for n in range(4)))
    assert read(header_and_four).max_row == 5
    with pytest.raises(xlsx.TooManyRows) as refused:
        to_xlsx(Sheet("t", ["Số"], ([n] for n in range(5))))
    assert str(refused.value) == "một trang tính chỉ chứa được 5 dòng"
    assert refused.value.limit == 5
    monkeypatch.setattr(xlsx, "MAX_ROWS", 1_048_576)
    assert str(xlsx.TooManyRows(xlsx.MAX_ROWS)) == "một trang tính chỉ chứa được 1.048.576 dòng"


def test_rows_are_read_as_the_sheet_is_written_never_all_at_once(monkeypatch):
    """The sheet's rows may be a stream from the database: no more than a chunk of them is
    taken ahead of what has gone into the package."""
    monkeypatch.setattr(xlsx, "ROWS_PER_CHUNK", 10)
    taken: list[int] = []
    written: list[int] = []

    def rows():
        for n in range(35):
            taken.append(n)
            yield [n]

    class Watched(io.BytesIO):
        def write(self, data) -> int:  # type: ignore[override]
            written.append(len(taken))
            return super().write(data)

    out = Watched()
    xlsx.write_workbook(xlsx.Layout("t", 1, [12]), rows(), out)
    assert len(taken) == 35
    # the sheet went into the package a chunk at a time, as the rows came
    assert sorted({n for n in written if 0 < n < 35}) == [10, 20, 30]


def _part(package: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(package)).read(name)
