"""A bundle carries an existing checkpoint: asking for one does not make the key sign again.

Before, every bundle request signed a fresh checkpoint over the whole log; now the latest
checkpoint covering the award's events is used, and one is signed (over a verified log)
only when the award is newer than every checkpoint.
"""

from __future__ import annotations

from datetime import date, datetime

from application.clients.bundle import make_bundle
from application.clients.demo import load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.assessment import case_id_for
from domain.base import CommandContext
from domain.glossary import Role, TitleModel, UnitLevel

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")


def test_bundles_reuse_the_latest_covering_checkpoint(settings: Settings):
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 11, 20, tzinfo=VIETNAM)))
    try:
        load_demo(ledger)
        person = ledger.registry.find_person_by_cccd("001090000001")
        case_id = case_id_for(person.id, TitleModel.LEARNING_CITIZEN, 2026, 1)

        first = make_bundle(ledger, case_id)  # no checkpoint covers the award yet: one is signed
        signed = ledger.auditor.checkpoints.all()
        assert [c.as_dict() for c in signed] == [first["checkpoint"]]

        ledger.registry.establish_unit(  # the log grows past the checkpoint
            CONSOLE,
            code="T-MOI",
            name="Tỉnh Mới",
            level=UnitLevel.PROVINCE,
            unit_type="tinh",
            parent_id=None,
            valid_from=date(2020, 1, 1),
        )
        again = make_bundle(ledger, case_id)
        assert again["checkpoint"] == first["checkpoint"]  # still covers the award
        assert ledger.auditor.checkpoints.all() == signed  # nothing signed

        later = ledger.auditor.make_checkpoint(datetime(2026, 11, 21, tzinfo=VIETNAM))
        assert make_bundle(ledger, case_id)["checkpoint"] == later.as_dict()  # the latest
    finally:
        ledger.close()
