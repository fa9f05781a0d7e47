"""Reporting structures come from the published rule document, on every backend: seeded like
the other rules, replaced by a later version, read from the seed file until one exists."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from application.ledger import Ledger
from application.services.criteria import SEED_DIR
from application.services.records import FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import Role
from domain.rules import REPORTING_STRUCTURES

ADMIN = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")
SEED = json.loads((SEED_DIR / "reporting-structures-2025.json").read_text(encoding="utf-8"))


@pytest.fixture
def ledger(settings: Settings, clock: FixedClock):
    ledger = Ledger(settings, clock=clock)
    yield ledger
    ledger.close()


def test_before_any_is_published_the_seed_document_answers(ledger: Ledger):
    assert ledger.criteria.latest_rules(REPORTING_STRUCTURES) is None
    structures = ledger.criteria.structures()
    assert structures.in_force_on(date(2025, 7, 1)).code == "two_level"


def test_seeding_publishes_the_structures_and_a_new_version_adds_a_rearrangement(ledger: Ledger):
    assert "co-cau-bao-cao" in ledger.criteria.load_seed_criteria(ADMIN)
    assert ledger.criteria.latest_rules(REPORTING_STRUCTURES) is not None
    later = copy.deepcopy(SEED)
    later["structures"].append(
        {
            "code": "two_level_2026",
            "label": "Hai cấp, sau sắp xếp xã năm 2026",
            "in_force_from": "2026-05-01",
            "geography_day": "2026-05-01",
            "basis": "sắp xếp lại đơn vị hành chính cấp xã (giả định trong test)",
        }
    )
    ledger.criteria.publish_rules(ADMIN, REPORTING_STRUCTURES, later)
    structures = ledger.criteria.structures()
    assert structures.in_force_on(date(2026, 6, 1)).code == "two_level_2026"
    assert structures.named("three_level").geography_day == date(2025, 6, 30)
    assert ledger.criteria.load_seed_criteria(ADMIN) == []  # seeding again changes nothing


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])  # two processes share a store
def test_a_version_published_by_another_process_is_read_at_once(
    ledger: Ledger, settings: Settings, clock: FixedClock
):
    """Each process keeps the latest version it has read; another API process publishing the
    next one must still be seen on the next call (rule documents never change, new versions
    do appear)."""
    ledger.criteria.load_seed_criteria(ADMIN)
    assert ledger.criteria.structures().in_force_on(date(2026, 6, 1)).code == "two_level"
    other = Ledger(settings, clock=clock)
    try:
        later = copy.deepcopy(SEED)
        later["structures"].append(
            {
                "code": "two_level_2026",
                "label": "Hai cấp, sau sắp xếp xã năm 2026",
                "in_force_from": "2026-05-01",
                "geography_day": "2026-05-01",
                "basis": "sắp xếp lại đơn vị hành chính cấp xã (giả định trong test)",
            }
        )
        other.criteria.publish_rules(ADMIN, REPORTING_STRUCTURES, later)
    finally:
        other.close()
    latest = ledger.criteria.latest_rules(REPORTING_STRUCTURES)
    assert latest is not None and latest.version_number == 2
    assert ledger.criteria.structures().in_force_on(date(2026, 6, 1)).code == "two_level_2026"
