"""The inspector bundle, checked by the standalone verifier in its own process."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from application.clients.bundle import dumps, make_bundle
from application.clients.demo import load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.assessment import case_id_for
from domain.glossary import TitleModel

VERIFIER = Path(__file__).resolve().parents[2] / "ops" / "verifier" / "verify_bundle.py"


@pytest.fixture
def bundle(settings: Settings) -> Iterator[dict[str, Any]]:
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 11, 20, tzinfo=VIETNAM)))
    load_demo(ledger)
    person = ledger.registry.find_person_by_cccd("001090000001")
    case_id = case_id_for(person.id, TitleModel.LEARNING_CITIZEN, 2026, 1)
    yield make_bundle(ledger, case_id, include_files=True)
    ledger.close()


def verify(tmp_path: Path, bundle: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "goi-kiem-tra.json"
    path.write_text(dumps(bundle), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_untouched_bundle_verifies_offline(bundle, tmp_path: Path):
    result = verify(tmp_path, bundle)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "chữ ký điểm kiểm hợp lệ" in result.stdout
    topics = {e["topic"] for e in bundle["events"]}
    assert {
        "hoctap.AssessmentCase.TitleGranted",
        "hoctap.RecognitionDecision.Issued",
        "hoctap.CriteriaSet.Published",
    } <= topics
    assert len(bundle["evidence"]) == 10 and all("content" in e for e in bundle["evidence"])
    assert result.stdout.count("ĐÚNG") == 1 + len(bundle["events"]) + 10


def altered_evidence_digest(b: dict[str, Any]) -> None:
    b["evidence"][0]["digest"] = "0" * 64


def altered_evidence_file(b: dict[str, Any]) -> None:
    b["evidence"][1]["content"] = "ZmFrZQ=="


def proof_of_another_event(b: dict[str, Any]) -> None:
    b["events"][0]["audit_path"], b["events"][1]["audit_path"] = (
        b["events"][1]["audit_path"],
        b["events"][0]["audit_path"],
    )


def altered_event(b: dict[str, Any]) -> None:
    b["events"][2]["state"] = b["events"][3]["state"]


def forged_checkpoint(b: dict[str, Any]) -> None:
    b["checkpoint"]["tree_size"] += 1


CASES = {
    "altered-evidence-digest": altered_evidence_digest,
    "altered-evidence-file": altered_evidence_file,
    "proof-of-another-event": proof_of_another_event,
    "altered-event": altered_event,
    "forged-checkpoint": forged_checkpoint,
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_tampered_bundle_is_caught_and_says_what_failed(bundle, tmp_path: Path, name: str):
    tampered = copy.deepcopy(bundle)
    CASES[name](tampered)
    result = verify(tmp_path, tampered)
    assert result.returncode == 1, result.stdout
    assert "SAI" in result.stdout
    assert json.loads(dumps(tampered)) == tampered  # the bundle itself still reads
