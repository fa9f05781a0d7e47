"""``verify``'s fast path answers exactly as the check it speeds up, page after page.

``Auditor.verify`` checks each page of rows with :func:`domain.integrity.plain_chain` and
hands any page it does not accept whole to :func:`domain.integrity.verify_chain`. Here the
page is 7 events, so the demo log spans about ten pages, with the corpus's tampers in the
first, the second and the last; each report (events, checkpoints, problem, root) must
be the one ``verify`` gives with every page checked by ``verify_chain`` alone, on SQLite
and PostgreSQL. Odd but valid stored forms (an originator id in capitals, a state stored as
text) pass through the slow path and still verify.
"""

from __future__ import annotations

import pytest

from application.adapters import audit
from application.ledger import Ledger
from tests.application.test_tamper import TAMPERS, backend, world

__all__ = ["backend", "world"]  # the fixtures, from the tamper corpus


def reports(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """(verify's report, the report with every page left to verify_chain)."""
    monkeypatch.setattr(audit, "PAGE", 7)
    fast = ledger.auditor.verify()
    with monkeypatch.context() as slow:
        slow.setattr(audit, "plain_chain", lambda *_: None)
        reference = ledger.auditor.verify()
    return fast, reference


def test_an_untouched_log_verifies_the_same_in_pages(world, monkeypatch):
    ledger, raw = world
    fast, reference = reports(ledger, monkeypatch)
    assert fast == reference
    assert fast.ok and fast.events == raw.count() > 60 and len(fast.root) == 32


@pytest.mark.parametrize("name", list(TAMPERS))
def test_each_tamper_gets_the_report_of_the_slow_path(world, monkeypatch, name: str):
    ledger, raw = world
    size = raw.count()
    tamper, kind, position = TAMPERS[name]
    tamper(raw)
    fast, reference = reports(ledger, monkeypatch)
    assert fast == reference
    assert fast.problem is not None
    assert (fast.problem.kind, fast.problem.position) == (kind, position(size))


def test_an_originator_in_capitals_and_a_state_as_text_still_verify(world, monkeypatch):
    ledger, raw = world
    before = ledger.auditor.verify()
    if raw.sqlite:  # PostgreSQL's uuid and bytea columns hold no other form
        raw.run(f"UPDATE {raw.events} SET originator_id = upper(originator_id) WHERE rowid = 9")
        raw.run(f"UPDATE {raw.events} SET state = CAST(state AS TEXT) WHERE rowid = 23")
        assert raw.run(f"SELECT typeof(state) FROM {raw.events} WHERE rowid = 23") == [("text",)]
    fast, reference = reports(ledger, monkeypatch)
    assert fast == reference == before
    assert fast.ok
