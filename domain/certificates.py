"""Certificate serials: the number printed on a paper certificate (giấy chứng nhận).

A serial is derived from ids already in the log, the case and the decision that granted its
title, so no event records it and any copy of the log recomputes the same one. A title
granted again (by an amending decision, after a complaint) gets a new serial from the new
decision: the paper printed for the earlier grant no longer verifies as valid.

Format: 20 characters of Crockford's base32 (100 bits of SHA-256), shown in four groups of
five: ``7K2QD-M9XRA-0VB4E-TT3HN``. Reading accepts either case, with or without the dashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from uuid import UUID

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 20
MAX_TYPED = 40  # what a visitor may type, dashes and spaces included


def certificate_serial(case_id: UUID, decision_id: UUID) -> str:
    digest = hashlib.sha256(b"hoctap-certificate\x00" + case_id.bytes + decision_id.bytes)
    number = int.from_bytes(digest.digest()[:13], "big") >> 4  # 100 bits
    chars = []
    for _ in range(LENGTH):
        number, rest = divmod(number, 32)
        chars.append(ALPHABET[rest])
    plain = "".join(reversed(chars))
    return "-".join(plain[i : i + 5] for i in range(0, LENGTH, 5))


def parse_serial(typed: str) -> str | None:
    """The serial in its printed form, or None when ``typed`` cannot be one (never raises)."""
    if len(typed) > MAX_TYPED or not typed.isascii():
        return None
    plain = typed.replace("-", "").replace(" ", "").upper()
    if len(plain) != LENGTH or any(c not in ALPHABET for c in plain):
        return None
    return "-".join(plain[i : i + 5] for i in range(0, LENGTH, 5))


def initials(name: str) -> str:
    """Only the initials of a name: "Phạm Thị Lan" → "P. T. L."."""
    return " ".join(f"{word[0].upper()}." for word in name.split()) or "?"


def certificate_status(
    valid_until: date, later: Iterable[tuple[str, date | None]], today: date
) -> tuple[str, date | None]:
    """The one rule for what a certificate is today, for the public check, the status list
    and the offline check: (``valid`` | ``expired`` | ``revoked`` | ``superseded``, the day
    a revocation took effect).

    ``later``: the changes recorded after the grant the certificate was printed for, oldest
    first, as (``revoked`` | ``granted`` | ``refused``, effective day). A revocation counts
    from the day it takes effect; a new grant (an amending decision) supersedes the paper.
    """
    status, revoked_from = "valid", None
    for change, effective_from in later:
        if change == "revoked" and effective_from is not None and effective_from <= today:
            status, revoked_from = "revoked", effective_from
        elif change == "granted" and status != "revoked":
            status = "superseded"
    if status == "valid" and valid_until < today:
        status = "expired"
    return status, revoked_from


def withdrawn(status: str) -> bool:
    """Whether the status list sets the certificate's revocation bit: revoked or replaced
    (an expired title is not revoked: its credential says until when it held)."""
    return status in ("revoked", "superseded")
