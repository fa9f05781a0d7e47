"""The serial printed on a certificate: derived from the case and the decision, written in
Crockford's base32 in four groups of five, read back in any case with or without dashes."""

from __future__ import annotations

import hashlib

import pytest

from domain.base import ledger_id
from domain.certificates import ALPHABET, certificate_serial, initials, parse_serial

CASE = ledger_id("test-case", 1)
DECISION = ledger_id("test-decision", 1)
SERIAL = "TTCVD-4VTA8-JMZKA-VW4Q1"


def reference_serial(case_id, decision_id) -> str:
    """The slow obvious reading: the first 100 bits of the digest, five bits a character."""
    digest = hashlib.sha256(b"hoctap-certificate\x00" + case_id.bytes + decision_id.bytes)
    bits = "".join(f"{byte:08b}" for byte in digest.digest())[:100]
    plain = "".join(ALPHABET[int(bits[i : i + 5], 2)] for i in range(0, 100, 5))
    return "-".join(plain[i : i + 5] for i in range(0, 20, 5))


def test_a_serial_is_a_known_answer_of_its_case_and_decision():
    assert certificate_serial(CASE, DECISION) == SERIAL == reference_serial(CASE, DECISION)


@pytest.mark.parametrize("number", range(2, 12))
def test_every_serial_agrees_with_the_bit_by_bit_reading(number):
    case, decision = ledger_id("test-case", number), ledger_id("test-decision", number)
    assert certificate_serial(case, decision) == reference_serial(case, decision)


def test_a_new_decision_gives_the_same_case_a_new_serial():
    assert certificate_serial(CASE, ledger_id("test-decision", 2)) != SERIAL
    assert certificate_serial(DECISION, CASE) != SERIAL


TYPED = {
    "as printed": SERIAL,
    "lower case": SERIAL.lower(),
    "without dashes": SERIAL.replace("-", ""),
    "with spaces": SERIAL.replace("-", " "),
    "forty characters": SERIAL.replace("-", "  ") + " " * 14,
}


@pytest.mark.parametrize("typed", TYPED.values(), ids=TYPED.keys())
def test_a_serial_is_read_in_any_case_with_or_without_dashes_or_spaces(typed):
    assert len(typed) <= 40
    assert parse_serial(typed) == SERIAL


NOT_SERIALS = {
    "forty-one characters": SERIAL.replace("-", "  ") + " " * 15,
    "not ASCII": SERIAL.replace("T", "Т", 1),  # a Cyrillic Te
    "one character short": SERIAL[:-1],
    "one character long": SERIAL + "1",
    "an I": SERIAL.replace("T", "I", 1),
    "an L": SERIAL.replace("T", "L", 1),
    "an O": SERIAL.replace("T", "O", 1),
    "a U": SERIAL.replace("T", "U", 1),
    "a dot": SERIAL.replace("-", "."),
    "empty": "",
}


@pytest.mark.parametrize("typed", NOT_SERIALS.values(), ids=NOT_SERIALS.keys())
def test_what_cannot_be_a_serial_reads_as_none(typed):
    assert parse_serial(typed) is None


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Phạm Thị Lan", "P. T. L."), ("  đặng   văn  an ", "Đ. V. A."), ("", "?"), ("   ", "?")],
)
def test_a_certificate_shows_only_the_initials_of_a_name(name, shown):
    assert initials(name) == shown
