"""A bundle under a signed checkpoint proves its own events from the tiles: it reads the
award's aggregates, not the whole log, and refuses when one of those events was rewritten,
lost from the middle of its record, or when the last verification found a rewrite.

Given the demo log signed by a checkpoint, when an event is rewritten in the database, then
the bundle of the award it belongs to is refused with its position; a rewrite elsewhere
leaves the award's proof as good as it was (the offline verifier accepts it), and the next
verification refuses bundles until the log verifies again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest

from application.adapters.audit import LogNotVerified
from application.clients.bundle import make_bundle
from application.ledger import Ledger
from application.services.records import VIETNAM
from domain.assessment import case_id_for
from domain.glossary import TitleModel
from tests.application.test_bundle import verify
from tests.application.test_tamper import RawLog, backend, modified_payload, world  # noqa: F401

LATER = datetime(2026, 11, 21, 10, tzinfo=VIETNAM)


@pytest.fixture
def award(world) -> Iterator[tuple[Ledger, RawLog, UUID, list[tuple[int, int]]]]:  # noqa: F811
    """The demo's granted citizen case, with (row id, chain position) of each of its events."""
    ledger, raw = world
    person = ledger.registry.find_person_by_cccd("001090000001")
    case_id = case_id_for(person.id, TitleModel.LEARNING_CITIZEN, 2026, 1)
    stored = case_id.hex if raw.sqlite else str(case_id)
    rows = raw.run(
        f"SELECT e.{raw.id}, c.position FROM {raw.events} e JOIN {raw.chain} c"
        f" ON c.notification_id = e.{raw.id} WHERE e.originator_id = ?"
        " ORDER BY e.originator_version",
        (stored,),
    )
    yield ledger, raw, case_id, [(int(n), int(p)) for n, p in rows]


def test_the_bundle_holds_the_award_s_events_at_their_chain_positions(award, tmp_path: Path):
    ledger, _, case_id, events = award
    bundle = make_bundle(ledger, case_id)
    own = [e for e in bundle["events"] if e["originator_id"] == str(case_id)]
    assert [e["position"] for e in own] == [position for _, position in events]
    assert [e["version"] for e in own] == list(range(1, len(events) + 1))
    assert verify(tmp_path, bundle).returncode == 0


def test_a_rewritten_event_of_the_award_is_refused_by_its_position(award):
    ledger, raw, case_id, events = award
    row, position = events[1]
    raw.set_state(row, raw.state(row) + b" ")  # the same JSON in other bytes
    with pytest.raises(LogNotVerified) as refused:
        make_bundle(ledger, case_id)
    assert refused.value.details["kind"] == "leaf-not-in-checkpoint"
    assert refused.value.details["position"] == position
    assert str(position) in refused.value.message


def test_a_record_the_award_rests_on_that_lost_an_event_or_all_of_them_is_refused(award):
    ledger, raw, case_id, _ = award
    issued = next(
        e
        for e in make_bundle(ledger, case_id)["events"]
        if e["topic"] == "hoctap.RecognitionDecision.Issued"
    )
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.id} = ?", (issued["notification_id"],))
    with pytest.raises(LogNotVerified) as refused:
        make_bundle(ledger, case_id)
    assert refused.value.details["kind"] == "missing-event"
    assert refused.value.details["originator_id"] == issued["originator_id"]


def test_a_rewrite_elsewhere_leaves_the_award_s_proof_good_until_a_verification_finds_it(
    award, tmp_path: Path
):
    ledger, raw, case_id, events = award
    assert 5 not in {row for row, _ in events}
    modified_payload(raw)  # row 5, not the award's
    assert verify(tmp_path, make_bundle(ledger, case_id)).returncode == 0

    with pytest.raises(LogNotVerified):  # the scheduled checkpoint's verification finds it
        ledger.auditor.make_checkpoint(LATER)
    with pytest.raises(LogNotVerified) as refused:  # and bundles are refused from then on
        make_bundle(ledger, case_id)
    assert refused.value.details["position"] == 5
    assert refused.value.message.startswith("không lập bằng chứng cho gói kiểm tra")
