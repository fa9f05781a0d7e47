"""Checkpoints and Merkle proofs over HTTP, checked the way an outside party would."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from application.adapters.audit import Checkpoint, verify_signature
from application.settings import Settings
from domain.integrity import verify_consistency, verify_inclusion
from tests.api.helpers import Api, seed_content
from tests.api.test_reads import granted_world


def test_anyone_can_copy_the_public_key_and_checkpoints_only_inspectors_sign(api: Api):
    api.user("inspector", ["inspector"])
    api.user("citizen", ["citizen"])
    made = api.post("inspector", "/audit/checkpoints", status=201).json()
    public = api.client.get("/audit/checkpoints").json()  # no token
    assert public["algorithm"] == "Ed25519"
    assert public["checkpoints"] == [made]
    key = base64.b64decode(public["public_key"])
    assert verify_signature(key, Checkpoint.from_dict(made))
    forged = Checkpoint.from_dict(made | {"tree_size": made["tree_size"] + 1})
    assert not verify_signature(key, forged)
    assert api.post("citizen", "/audit/checkpoints").status_code == 403


def test_an_inclusion_proof_ties_an_event_to_a_signed_checkpoint(api: Api):
    api.user("inspector", ["inspector"])
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    checkpoint = api.post("inspector", "/audit/checkpoints", status=201).json()
    size = checkpoint["tree_size"]
    for position in range(1, size + 1):
        proof = api.get(
            "inspector", f"/audit/proofs/inclusion?position={position}&tree_size={size}"
        ).json()
        assert proof["root_hash"] == checkpoint["root_hash"]
        assert verify_inclusion(
            position - 1,
            size,
            bytes.fromhex(proof["leaf_hash"]),
            [bytes.fromhex(p) for p in proof["audit_path"]],
            bytes.fromhex(checkpoint["root_hash"]),
        )
    wrong = api.get("inspector", f"/audit/proofs/inclusion?position=1&tree_size={size}").json()
    assert not verify_inclusion(
        1,
        size,
        bytes.fromhex(wrong["leaf_hash"]),
        [bytes.fromhex(p) for p in wrong["audit_path"]],
        bytes.fromhex(checkpoint["root_hash"]),
    )


def test_proofs_are_public_like_the_tiles_they_come_from(api: Api):
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    size = api.post("admin", "/audit/checkpoints", status=201).json()["tree_size"]
    for path in (
        f"/audit/proofs/inclusion?position=1&tree_size={size}",
        f"/audit/proofs/consistency?first=1&second={size}",
    ):
        anonymous = api.client.get(path)  # no token at all
        assert anonymous.status_code == 200, anonymous.text
        assert anonymous.json() == api.get("admin", path).json()


def test_a_consistency_proof_shows_a_later_checkpoint_extends_an_earlier_one(api: Api):
    api.user("inspector", ["inspector"])
    first = api.post("inspector", "/audit/checkpoints", status=201).json()
    api.created("admin", "/criteria-sets", seed_content("criteria-dvht-tt22-2020.json"))
    second = api.post("inspector", "/audit/checkpoints", status=201).json()
    proof = api.get(
        "inspector",
        f"/audit/proofs/consistency?first={first['tree_size']}&second={second['tree_size']}",
    ).json()
    assert verify_consistency(
        first["tree_size"],
        second["tree_size"],
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    assert datetime.fromisoformat(second["signed_at"]) >= datetime.fromisoformat(first["signed_at"])
    bad = api.get("inspector", "/audit/proofs/consistency?first=5&second=2", status=422).json()
    assert bad["code"] == "invalid-input"
    beyond = second["tree_size"] + 1000
    for path in (
        f"inclusion?position=1&tree_size={beyond}",
        f"consistency?first=1&second={beyond}",
    ):
        past = api.get("inspector", f"/audit/proofs/{path}", status=422).json()
        assert past["errors"]["log_size"] >= second["tree_size"], past


def test_an_inspector_downloads_a_bundle_that_verifies_offline(api: Api, tmp_path: Path):
    world = granted_world(api)
    api.user("inspector", ["inspector"])
    response = api.get("inspector", f"/audit/bundles/{world['citizen_case']}?files=true")
    assert response.headers["content-type"] == "application/json"
    path = tmp_path / "bundle.json"
    path.write_bytes(response.content)
    verifier = Path(__file__).resolve().parents[2] / "ops" / "verifier" / "verify_bundle.py"
    result = subprocess.run(
        [sys.executable, str(verifier), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert api.get("lan", f"/audit/bundles/{world['citizen_case']}", status=403)


def test_checkpoints_are_also_signed_on_a_schedule_when_the_log_grows(api: Api, settings: Settings):
    settings.checkpoint_every_seconds = 1
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        checkpoints = api.client.get("/audit/checkpoints").json()["checkpoints"]
        if checkpoints:
            break
        time.sleep(0.2)
    assert checkpoints and checkpoints[-1]["tree_size"] >= 2
    time.sleep(1.5)  # the log did not grow: no new checkpoint
    assert api.client.get("/audit/checkpoints").json()["checkpoints"] == checkpoints
