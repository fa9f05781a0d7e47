"""The one rule for what a certificate is on a day (public check, status list, offline)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.certificates import certificate_status, withdrawn

UNTIL = date(2028, 12, 31)
MARCH = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("later", "today", "status", "revoked_from"),
    [
        ([], date(2026, 6, 1), "valid", None),
        ([], UNTIL, "valid", None),  # the last day still holds
        ([], date(2029, 1, 1), "expired", None),
        ([("revoked", MARCH)], date(2026, 6, 1), "revoked", MARCH),
        ([("revoked", date(2026, 9, 1))], date(2026, 6, 1), "valid", None),  # not yet in force
        ([("revoked", MARCH)], date(2030, 1, 1), "revoked", MARCH),  # revoked beats expired
        ([("granted", MARCH)], date(2026, 6, 1), "superseded", None),
        ([("granted", MARCH), ("revoked", MARCH)], date(2026, 6, 1), "revoked", MARCH),
        ([("refused", MARCH)], date(2026, 6, 1), "valid", None),  # a refusal on appeal
        ([("revoked", MARCH)], MARCH, "revoked", MARCH),  # from the day it takes effect
        ([("revoked", MARCH), ("granted", date(2026, 4, 1))], date(2026, 6, 1), "revoked", MARCH),
    ],
)
def test_the_status_of_a_certificate(later, today, status, revoked_from):
    assert certificate_status(UNTIL, later, today) == (status, revoked_from)


def test_only_revoked_or_replaced_certificates_set_their_bit():
    assert [s for s in ("valid", "expired", "revoked", "superseded") if withdrawn(s)] == [
        "revoked",
        "superseded",
    ]
