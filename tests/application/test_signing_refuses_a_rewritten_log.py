"""The ledger's key signs only a log that verifies: never a second root for a size already
signed, never a tree over a chain with a gap.

Before this, the same key signed whatever the log held: on a copy with one byte flipped it
signed a second, different root for a size it had signed; on one with a row deleted, a tree
over fewer leaves than the chain had positions.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from application.adapters.audit import LogNotVerified
from application.services.records import VIETNAM
from domain.base import CommandContext
from domain.glossary import Role, UnitLevel
from tests.application.test_tamper import TAMPERS, backend, world  # noqa: F401  (fixtures)

LATER = datetime(2026, 11, 21, 10, tzinfo=VIETNAM)
CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")


def test_an_untouched_log_is_signed_again_and_nothing_is_refused(world):  # noqa: F811
    ledger, _ = world
    before = ledger.auditor.checkpoints.all()
    signed = ledger.auditor.make_checkpoint(LATER)
    assert ledger.auditor.refused is None
    assert ledger.auditor.checkpoints.all() == [*before, signed]
    assert ledger.auditor.verify().ok


@pytest.mark.parametrize("name", list(TAMPERS))
def test_a_tampered_log_is_not_signed_and_the_refusal_names_the_problem(world, name: str):  # noqa: F811
    ledger, raw = world
    size = raw.count()
    tamper, kind, position = TAMPERS[name]
    tamper(raw)
    before = ledger.auditor.checkpoints.all()

    with pytest.raises(LogNotVerified) as refused:
        ledger.auditor.make_checkpoint(LATER)
    assert (refused.value.details["kind"], refused.value.details["position"]) == (
        kind,
        position(size),
    )
    with pytest.raises(LogNotVerified):  # and so does a bundle's checkpoint
        ledger.auditor.checkpoint_with_paths(LATER, {0: bytes(32)})

    assert ledger.auditor.checkpoints.all() == before  # nothing signed
    assert ledger.auditor.refused is not None and ledger.auditor.refused.kind == kind


def test_the_scheduled_checkpoint_refuses_once_the_log_grows_over_a_rewrite(world):  # noqa: F811
    ledger, raw = world
    modify, _, _ = TAMPERS["modified-payload"]
    modify(raw)
    ledger.registry.establish_unit(
        CONSOLE,
        code="T-MOI",
        name="Tỉnh Mới",
        level=UnitLevel.PROVINCE,
        unit_type="tinh",
        parent_id=None,
        valid_from=date(2020, 1, 1),
    )
    before = ledger.auditor.checkpoints.all()
    with pytest.raises(LogNotVerified):
        ledger.auditor.checkpoint_if_grown(LATER)
    assert ledger.auditor.checkpoints.all() == before
    assert ledger.auditor.refused is not None and ledger.auditor.refused.position == 5
