"""The offline verifier holds a bundle to checkpoints kept elsewhere and to witnesses.

A bundle made from a log the operator rewrote verifies on its own: the key signs whatever
the log holds once the checkpoint rows are gone. Given a checkpoint kept before the rewrite
(``--trusted``, an export or a note) or a witness whose cosignature is required
(``--witness``), the verifier fails, naming what differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from application.clients.bundle import dumps, make_bundle
from application.ledger import Ledger
from application.services.records import VIETNAM
from domain.assessment import case_id_for
from domain.glossary import TitleModel
from tests.application.test_tamper import (  # noqa: F401  (fixtures)
    backend,
    rechained_history,
    truncated_log,
    world,
)
from tests.application.test_witness import (  # noqa: F401  (fixtures)
    Witnessed,
    _delete_checkpoints,
    _grow,
    witnessed,
)

VERIFIER = Path(__file__).resolve().parents[2] / "ops" / "verifier" / "verify_bundle.py"
LATER = datetime(2026, 11, 21, 10, tzinfo=VIETNAM)


def _bundle(ledger: Ledger) -> dict[str, Any]:
    person = ledger.registry.find_person_by_cccd("001090000001")
    return make_bundle(ledger, case_id_for(person.id, TitleModel.LEARNING_CITIZEN, 2026, 1))


def offline(tmp_path: Path, bundle: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "goi.json"
    path.write_text(dumps(bundle), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def kept(witnessed: Witnessed, tmp_path: Path) -> dict[str, str]:  # noqa: F811
    """A cosigned checkpoint note and an export, kept by an inspector before anything."""
    ledger = witnessed.ledger
    ledger.cosignatures.request_cosignature(witnessed.post)
    note, export = tmp_path / "thanh-tra.note", tmp_path / "thanh-tra.json"
    note.write_text(str(ledger.cosignatures.latest()), encoding="utf-8")
    export.write_text(ledger.auditor.export_checkpoints(), encoding="utf-8")
    return {
        "note": str(note),
        "export": str(export),
        "witness": str(witnessed.witness.cosigner.vkey),
    }


def test_an_honest_bundle_passes_against_kept_checkpoints_and_its_witness(
    witnessed,  # noqa: F811
    kept,
    tmp_path: Path,
):
    ledger = witnessed.ledger
    _grow(ledger)
    ledger.auditor.make_checkpoint(LATER)
    ledger.cosignatures.request_cosignature(witnessed.post)
    bundle = _bundle(ledger)
    assert [p["from_size"] for p in bundle["consistency"]] == [witnessed.raw.count() - 1]

    result = offline(
        tmp_path,
        bundle,
        "--trusted", kept["note"], "--trusted", kept["export"], "--witness", kept["witness"],
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mở rộng điểm kiểm đã giữ" in result.stdout and "đã đồng ký" in result.stdout


def _rechained(w: Witnessed) -> None:
    rechained_history(w.raw)
    _delete_checkpoints(w.raw)


def _rechained_and_grown(w: Witnessed) -> None:
    _rechained(w)
    _grow(w.ledger)


def _truncated(w: Witnessed) -> None:
    truncated_log(w.raw)
    _delete_checkpoints(w.raw)


@pytest.mark.parametrize(
    ("move", "says"),
    [
        (_rechained, "gốc KHÁC"),
        (_rechained_and_grown, "KHÔNG mở rộng"),
        (_truncated, "mới hơn điểm kiểm của gói"),
    ],
    ids=["rechained", "rechained-and-grown", "truncated"],
)
def test_a_bundle_from_a_tampered_log_fails_against_a_checkpoint_kept_before(
    witnessed,  # noqa: F811
    kept,
    tmp_path: Path,
    move,
    says: str,
):
    move(witnessed)
    bundle = _bundle(witnessed.ledger)  # the key signs the rewritten log: nothing kept inside

    assert offline(tmp_path, bundle).returncode == 0  # on its own, it passes
    for source in (kept["note"], kept["export"]):
        result = offline(tmp_path, bundle, "--trusted", source)
        assert result.returncode == 1 and says in result.stdout, result.stdout
    unwitnessed = offline(tmp_path, bundle, "--witness", kept["witness"])
    assert unwitnessed.returncode == 1 and "THIẾU đồng ký" in unwitnessed.stdout


def test_a_forged_consistency_proof_in_the_bundle_fails(
    witnessed,  # noqa: F811
    kept,
    tmp_path: Path,
):
    ledger = witnessed.ledger
    _grow(ledger)
    ledger.auditor.make_checkpoint(LATER)
    bundle = _bundle(ledger)
    bundle["consistency"][0]["proof"][0] = "00" * 32
    result = offline(tmp_path, bundle, "--trusted", kept["note"])
    assert result.returncode == 1 and "KHÔNG mở rộng" in result.stdout


def test_a_bad_cosignature_from_the_required_witness_fails(
    witnessed,  # noqa: F811
    kept,
    tmp_path: Path,
):
    bundle = _bundle(witnessed.ledger)
    lines = bundle["checkpoint_note"].splitlines(keepends=True)
    last = lines[-1]
    lines[-1] = last[:-6] + ("A" if last[-6] != "A" else "B") + last[-5:]
    bundle["checkpoint_note"] = "".join(lines)
    result = offline(tmp_path, bundle, "--witness", kept["witness"])
    assert result.returncode == 1 and "KHÔNG hợp lệ" in result.stdout


def test_a_kept_file_signed_by_another_key_fails(
    witnessed,  # noqa: F811
    kept,
    tmp_path: Path,
):
    export = json.loads(Path(kept["export"]).read_text("utf-8"))
    export["public_key"] = "A" * 43 + "="
    other = tmp_path / "khoa-khac.json"
    other.write_text(json.dumps(export), encoding="utf-8")
    result = offline(tmp_path, _bundle(witnessed.ledger), "--trusted", str(other))
    assert result.returncode == 1 and "không được ký bằng khóa của gói" in result.stdout
