"""The CSV export: what a spreadsheet program reads back, for any text a cell may hold.

The writer normalises the whole file to NFC once instead of each cell; these tests hold it to
the cell-by-cell reading: every cell read back is the NFC form of what was put in, whatever
combining marks, separators, quotes or line ends the text holds at its edges.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.clients import exports
from application.clients.exports import Sheet, to_csv

#: Text built to sit badly at a cell's edges: lone combining marks, decomposed Vietnamese,
#: the csv writer's own separators and quote, line ends, controls and non-ASCII digits.
_PIECES = st.sampled_from(
    [
        "\u0301",  # combining acute, alone
        "\u0323\u0302",  # dot below + circumflex: reordered by normalisation
        unicodedata.normalize("NFD", "Nguyễn Thị Ánh"),
        "Đặng",
        ",",
        '"',
        "\r\n",
        "\n",
        "\t",
        "\x00",
        "٣",
        "１",
        "a",
        " ",
    ]
)
EDGY_TEXT = st.lists(_PIECES | st.text(max_size=3), max_size=6).map("".join)


def _read(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # spreadsheet programs need the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@given(st.lists(st.lists(EDGY_TEXT, min_size=1, max_size=4), min_size=1, max_size=5), EDGY_TEXT)
def test_each_cell_reads_back_as_its_own_nfc_form(rows: list[list[str]], note: str) -> None:
    read = _read(to_csv(Sheet("t", ["Cột"] * 4, rows, [note])))
    nfc = [[unicodedata.normalize("NFC", cell) for cell in row] for row in rows]
    assert read == [[unicodedata.normalize("NFC", note)], ["Cột"] * 4, *nfc]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        (date(2025, 12, 31), "2025-12-31"),
        (datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05"),
        (Decimal("91.50"), "91.5"),
        (Decimal("80"), "80.0"),
        (7, "7"),
        (1.25, "1.25"),
        (True, "True"),
        (date(1, 1, 1), "0001-01-01"),
        (date(9999, 12, 31), "9999-12-31"),
    ],
)
def test_typed_cells_are_written_as_they_read(value: Any, written: str) -> None:
    assert _read(to_csv(Sheet("t", ["a"], [[value]])))[1] == [written]


@given(
    st.lists(st.lists(EDGY_TEXT, min_size=1, max_size=3), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=4),
)
def test_written_in_chunks_the_file_is_the_one_written_at_once(
    rows: list[list[str]], chunk: int
) -> None:
    """The export writes a chunk of rows at a time and normalises each: whatever the text at
    a chunk's edge, the bytes are those of the whole text normalised once."""
    sheet = Sheet("t", ["Cột"] * 3, iter(rows), ["ghi chú"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "CSV_ROWS_PER_CHUNK", chunk)
        chunked = to_csv(sheet)
    whole = io.StringIO()
    csv.writer(whole).writerows([["ghi chú"], ["Cột"] * 3, *rows])
    assert chunked == unicodedata.normalize("NFC", whole.getvalue()).encode("utf-8-sig")
