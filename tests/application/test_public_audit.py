"""The public pages' checks: the latest signed checkpoint, and one event's inclusion proof
checked against the signed root (so a log changed after signing fails the check)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from application.clients.public_audit import (
    check_inclusion,
    latest_checkpoint,
    parse_leaf_hash,
)
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.errors import InvalidInput
from domain.glossary import Role
from tests.application.test_tamper import RawLog

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "bootstrap")
SIGNED_AT = datetime(2026, 11, 20, 10, tzinfo=VIETNAM)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    the_ledger = Ledger(settings, clock=FixedClock(datetime(2026, 11, 20, tzinfo=VIETNAM)))
    for name in ("admin", "an-an", "binh"):
        the_ledger.access.create_user(CONSOLE, name, [Role.ADMINISTRATOR])
    yield the_ledger
    the_ledger.close()


def test_there_is_nothing_to_show_or_check_before_the_first_checkpoint(ledger: Ledger):
    assert latest_checkpoint(ledger) is None
    with pytest.raises(InvalidInput, match="chưa có điểm kiểm nào được ký"):
        check_inclusion(ledger, 1, None)


def test_the_page_shows_the_latest_of_the_signed_checkpoints(ledger: Ledger):
    ledger.auditor.make_checkpoint(SIGNED_AT)
    ledger.access.create_user(CONSOLE, "chi-chi", [Role.ADMINISTRATOR])
    latest = ledger.auditor.make_checkpoint(SIGNED_AT.replace(hour=11))

    view = latest_checkpoint(ledger)

    assert view is not None
    assert (view.tree_size, view.root_hash) == (latest.tree_size, latest.root_hash.hex())
    assert view.signed_at == SIGNED_AT.replace(hour=11)
    assert view.note.startswith(f"{ledger.auditor.origin}\n{latest.tree_size}\n")
    assert view.cosigners == ()  # no witness configured in tests


def test_every_event_in_the_checkpoint_proves_its_inclusion(ledger: Ledger):
    size = ledger.auditor.make_checkpoint(SIGNED_AT).tree_size

    checks = [check_inclusion(ledger, n, None) for n in range(1, size + 1)]

    assert all(c.ok and c.proof_holds for c in checks)
    assert len({c.leaf_hash for c in checks}) == size


def test_a_pasted_leaf_hash_must_be_the_one_at_that_position(ledger: Ledger):
    ledger.auditor.make_checkpoint(SIGNED_AT)
    first, second = check_inclusion(ledger, 1, None), check_inclusion(ledger, 2, None)

    assert check_inclusion(ledger, 1, first.leaf_hash).ok
    wrong = check_inclusion(ledger, 1, second.leaf_hash)
    assert wrong.proof_holds and not wrong.claim_matches and not wrong.ok


def test_an_event_changed_after_signing_fails_against_the_signed_root(
    ledger: Ledger, settings: Settings
):
    ledger.auditor.make_checkpoint(SIGNED_AT)
    raw = RawLog(settings)
    before = check_inclusion(ledger, 2, None)
    raw.set_state(2, raw.state(2).replace(b"bootstrap", b"b00tstrap"))

    after = check_inclusion(ledger, 2, before.leaf_hash)

    assert not after.proof_holds and not after.ok
    assert after.leaf_hash != before.leaf_hash


def test_an_event_deleted_after_signing_fails_against_the_signed_root(
    ledger: Ledger, settings: Settings
):
    ledger.auditor.make_checkpoint(SIGNED_AT)
    raw = RawLog(settings)
    before = check_inclusion(ledger, 2, None)
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.id} = 2")

    after = check_inclusion(ledger, 2, before.leaf_hash)

    assert not after.proof_holds and not after.ok
    assert after.leaf_hash == "00" * 32  # nothing stored hashes to the signed leaf


@pytest.mark.parametrize("position", [0, -1, 4, 10**18])
def test_positions_outside_the_checkpoint_are_refused(ledger: Ledger, position: int):
    ledger.auditor.make_checkpoint(SIGNED_AT)

    with pytest.raises(InvalidInput, match="vị trí phải từ 1 đến 3"):
        check_inclusion(ledger, position, None)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "g" * 64,
        "a" * 63,
        "a" * 65,
        "０" * 64,  # full-width digits
        "٠" * 64,  # Arabic-Indic digits
        "a" * 32 + "\u0000" + "a" * 31,
        "a" * 10_000,
        "0x" + "a" * 62,
    ],
)
def test_a_leaf_hash_is_64_plain_hex_digits_and_nothing_else(text: str):
    with pytest.raises(InvalidInput, match="đúng 64 chữ số thập lục phân"):
        parse_leaf_hash(text)


def test_a_leaf_hash_reads_either_case_and_ignores_the_spaces_a_paste_brings():
    assert parse_leaf_hash("  " + "AB" * 32 + "\n") == "ab" * 32
    assert parse_leaf_hash("   ") is None
