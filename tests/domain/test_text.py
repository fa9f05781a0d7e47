"""What text may hold and what counts as a number, checked against a slow obvious reference
over every code point Unicode has."""

from __future__ import annotations

import json
import sys
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.text import (
    as_number,
    as_whole,
    ascii_digits,
    check_json_text,
    clean_text,
    folded,
    may_hold_refused,
    plain_decimal,
    refused_in,
)

EVERY_CODE_POINT = [chr(c) for c in range(sys.maxunicode + 1)]


def refused_by_reference(ch: str, multiline: bool) -> bool:
    """Unicode category Cc (but TAB, LF and CR in multi-line text), Cs, or a noncharacter."""
    if multiline and ch in "\t\n\r":
        return False
    code = ord(ch)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
    return unicodedata.category(ch) in ("Cc", "Cs") or noncharacter


@pytest.mark.parametrize("multiline", [False, True])
def test_every_code_point_is_refused_exactly_when_the_reference_refuses_it(multiline: bool):
    wrong = []
    for ch in EVERY_CODE_POINT:
        try:
            clean_text(f"a{ch}b", field="x", multiline=multiline)
            refused = False
        except InvalidInput:
            refused = True
        if refused != refused_by_reference(ch, multiline):
            wrong.append(f"U+{ord(ch):04X}")
    assert not wrong


def test_the_stores_cheap_test_never_misses_a_refused_character():
    """The store walks an event only when its JSON text looks suspect: every refused
    character must make it look so, however ``json`` writes it."""
    refused = [ch for ch in EVERY_CODE_POINT if refused_by_reference(ch, multiline=True)]
    missed = [
        f"U+{ord(ch):04X}"
        for ch in refused
        if not may_hold_refused(json.dumps({"k": f"a{ch}b"}, ensure_ascii=False))
    ]
    assert len(refused) == 65 - 3 + 2048 + 66 and not missed


def test_a_refused_character_is_found_at_any_depth_and_named_by_its_path():
    content = {"criteria": [{"code": "I", "indicators": [{"name": "Đọc\x00sách"}]}]}
    assert refused_in(content) == ("criteria.0.indicators.0.name", "U+0000")
    assert refused_in({"ten\x7f": 1}) == ("ten<U+007F>", "U+007F")  # printable, named
    with pytest.raises(InvalidInput) as refused:
        check_json_text(content, field="bo-tieu-chi.json")
    assert refused.value.details["field"] == "bo-tieu-chi.json.criteria.0.indicators.0.name"


def test_text_is_nfc_normalised_and_line_breaks_kept_only_where_allowed():
    assert clean_text("Hoa\u0300", field="x") == "Hoà"
    assert clean_text("một\ndòng\thai\r\n", field="x", multiline=True) == "một\ndòng\thai\r\n"
    with pytest.raises(InvalidInput):
        clean_text("một\ndòng", field="x")


@given(st.text("0123456789", min_size=1, max_size=18))
def test_ascii_digits_up_to_the_bound_are_numbers(value: str):
    assert ascii_digits(value)
    assert not ascii_digits(value + "0" * (19 - len(value)))


def test_no_other_character_that_isdigit_takes_is_an_ascii_digit():
    others = [ch for ch in EVERY_CODE_POINT if ch.isdigit() and ch not in "0123456789"]
    assert len(others) > 600  # Arabic-Indic, Devanagari, fullwidth, superscripts, circled...
    assert not [ch for ch in others if ascii_digits(f"1{ch}2")]
    assert not ascii_digits("") and not ascii_digits("-1") and not ascii_digits(" 1")


@given(
    sign=st.sampled_from(["", "-"]),
    whole=st.text("0123456789", min_size=1, max_size=12),
    fraction=st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=6)),
)
def test_a_plainly_written_number_is_a_plain_decimal(sign: str, whole: str, fraction: str):
    written = sign + whole + ("." + fraction if fraction else "")
    assert plain_decimal(written), written


@given(
    st.text(min_size=1, max_size=8).filter(
        lambda s: any(c not in "0123456789.-" for c in s) or not s[-1:].isdigit()
    )
)
def test_any_other_character_or_an_unfinished_number_is_not(written: str):
    assert not plain_decimal(written)


@pytest.mark.parametrize(
    "written", ["1_0", "١٢", "１２", "8\n", " 8", "1e3", "+1", ".5", "5.", "--1"]
)
def test_what_decimal_would_still_read_is_not_a_plain_decimal(written: str):
    assert not plain_decimal(written)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (0.1, Decimal("0.1")),  # the float as written, not its binary expansion
        (2.5, Decimal("2.5")),
        (7, Decimal(7)),
        (Decimal("8.25"), Decimal("8.25")),
        ("9.75", Decimal("9.75")),
    ],
)
def test_a_number_from_json_or_a_form_is_read_as_written(value, number):
    assert as_number(value) == number
    assert str(as_number(value)) == str(number)


@pytest.mark.parametrize("value", [True, None, "١٢", "1_0", " 8", [8], "8,5"])
def test_anything_else_is_no_number_and_the_error_names_it(value):
    with pytest.raises(ValueError) as error:
        as_number(value)
    assert str(error.value) == f"{value!r} is not a plainly written number"


@pytest.mark.parametrize("value", [True, "٢٠٢٦", "2026.0", 2026.0, None])
def test_a_year_is_a_whole_number_in_ascii_digits(value):
    with pytest.raises(ValueError) as error:
        as_whole(value)
    assert str(error.value) == f"{value!r} is not a whole number written in ASCII digits"
    assert as_whole("2026") == as_whole(2026) == 2026


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("xa hoa binh", "Xã Hòa Bình"),
        ("dong thap", "ĐỒNG  THÁP"),
        ("hoa binh", unicodedata.normalize("NFD", "Hòa Bình")),  # decomposed as some phones send
        ("nguyen", "Nguyễn"),
    ],
)
def test_a_search_folds_accents_case_and_spaces_alike(typed: str, stored: str):
    assert folded(typed) == folded(stored)
    assert folded(stored).isascii()
