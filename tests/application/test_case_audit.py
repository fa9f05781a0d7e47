"""An inspector's audit of one granted title: every cited event proven against the signed
checkpoint, a changed event caught, events after the checkpoint shown as not yet covered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

import pytest

from application.adapters.read_models import ReadModels
from application.clients.case_audit import CaseAudit, audit_case
from application.clients.demo import load_demo
from application.clients.generator import generate
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.errors import NotFound
from domain.glossary import Role
from projections.standings.queries import list_cases
from tests.application.test_generator import AFTER_EVERYTHING
from tests.application.test_tamper import RawLog

SIGNED_AT = datetime(2026, 11, 20, 10, tzinfo=VIETNAM)
CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(settings: Settings) -> Iterator[tuple[Ledger, ReadModels, UUID]]:
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 11, 20, tzinfo=VIETNAM)))
    load_demo(ledger)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    models.catch_up()
    granted = list_cases(models.engine, status="granted").items[0]
    yield ledger, models, UUID(str(granted["case_id"]))
    models.close()
    ledger.close()


def audit(world: tuple[Ledger, ReadModels, UUID]) -> CaseAudit:
    ledger, models, case_id = world
    return audit_case(ledger, models.engine, case_id)


def test_every_event_a_granted_title_rests_on_is_proven_against_the_signed_root(world):
    world[0].auditor.make_checkpoint(SIGNED_AT)

    result = audit(world)

    assert result.all_proven
    cited = {
        c.notification_id
        for s in result.explanation.sections
        for st in s.statements
        for c in st.citations
    }
    assert cited <= {e.notification_id for e in result.events}
    assert len({e.leaf_hash for e in result.events}) == len(result.events)


def test_the_trails_hold_this_cases_records_only(world):
    world[0].auditor.make_checkpoint(SIGNED_AT)

    result = audit(world)

    records = {str(e.originator_id) for e in result.events}
    assert result.activity and {row["record_id"] for row in result.activity} <= records
    assert str(result.case_id) in {row["record_id"] for row in result.activity}


def test_the_read_trail_shows_the_latest_reads_when_there_are_more_than_fit(world):
    ledger, models, case_id = world
    subject = str(ledger.records.get(AssessmentCase, case_id).subject_id)
    for n in range(7):
        ledger.access.record_view(CONSOLE, "person", subject, f"lần {n}")
    models.catch_up()

    reads = audit_case(ledger, models.engine, case_id, trail_limit=3).reads

    assert [row["detail"] for row in reads] == ["lần 4", "lần 5", "lần 6"]


def test_an_event_changed_after_signing_is_shown_unproven(world, settings: Settings):
    world[0].auditor.make_checkpoint(SIGNED_AT)
    victim = audit(world).events[0]
    raw = RawLog(settings)
    raw.set_state(victim.notification_id, raw.state(victim.notification_id) + b" ")

    result = audit(world)

    assert result.event_at(victim.notification_id).proven is False
    assert not result.all_proven


def test_without_a_checkpoint_nothing_is_signed_for_the_occasion(world):
    result = audit(world)

    assert result.checkpoint is None and world[0].auditor.checkpoints.all() == []
    assert {e.proven for e in result.events} == {None}


def test_an_unknown_case_is_not_found(world):
    with pytest.raises(NotFound):
        audit_case(world[0], world[1].engine, UUID(int=7))


def test_a_generated_title_whose_decision_is_logged_after_it_is_explained_and_audited(
    settings: Settings,
):
    """The generator saves a batch's cases before the decision that rules them: the audit
    must not depend on the decision coming first in the log."""
    ledger = Ledger(settings, clock=FixedClock(AFTER_EVERYTHING))
    generate(ledger, 30, 11)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    models.catch_up()
    ledger.auditor.make_checkpoint(AFTER_EVERYTHING)
    try:
        granted = list_cases(models.engine, status="granted", limit=200).items
        assert granted
        for row in granted:
            result = audit_case(ledger, models.engine, UUID(str(row["case_id"])))
            assert result.all_proven and any(
                s.key == "decision" for s in result.explanation.sections
            )
    finally:
        models.close()
        ledger.close()


def test_a_log_cut_short_after_signing_fails_every_proof(world, settings: Settings):
    ledger = world[0]
    ledger.access.create_user(CONSOLE, "nguoi-sau-cung", [Role.INSPECTOR])
    ledger.auditor.make_checkpoint(SIGNED_AT)  # signs the account's event, last in the log
    raw = RawLog(settings)
    last = raw.count()
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.id} = ?", (last,))

    result = audit(world)

    assert {e.proven for e in result.events if e.position and e.position < last} == {False}
