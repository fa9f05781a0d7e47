"""The witness speaks c2sp.org/tlog-witness: each refusal has the status the protocol names,
so a log nobody here wrote knows what happened."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.witness import create_witness_app
from application.adapters.notary import Cosigner, NoteSigner, ed25519_verify
from application.adapters.witness_state import WitnessStateFile
from application.services.witness import Witness, logs_by_origin
from domain.integrity import consistency_proof, leaf_hash, root
from domain.notes import AddCheckpoint, CheckpointText, Note, verified_by

ORIGIN = "hoctap.example/thu-nghiem"
LOG = NoteSigner(ORIGIN, bytes(range(32)))
LEAVES = [leaf_hash(bytes([i])) for i in range(10)]
NOW = datetime(2026, 11, 21, 4, tzinfo=UTC)


def note(size: int, signer: NoteSigner = LOG, top: bytes | None = None) -> Note:
    text = str(CheckpointText(signer.name, size, top or root(LEAVES[:size])))
    return Note(text, (signer.sign(text),))


def body(old: int, checkpoint: Note, proof: list[bytes] | None = None) -> str:
    return str(AddCheckpoint(old, tuple(proof or ()), checkpoint))


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    return Witness(
        Cosigner("nhan-chung.example/w1", bytes(32)),
        logs_by_origin([LOG.vkey]),
        WitnessStateFile(tmp_path / "state.json"),
        lambda: NOW,
    )


@pytest.fixture
def client(witness: Witness) -> TestClient:
    return TestClient(create_witness_app(witness))


def test_the_first_checkpoint_is_cosigned_with_a_timestamped_line(client, witness):
    answer = client.post("/add-checkpoint", content=body(0, note(4)))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    cosigned = Note.parse(note(4).text + "\n" + answer.text)
    assert verified_by(cosigned, [witness.cosigner.vkey], ed25519_verify) == [
        (witness.cosigner.vkey, int(NOW.timestamp()))
    ]
    origin_hash = hashlib.sha256(ORIGIN.encode()).hexdigest()
    kept = client.get(f"/{origin_hash}/checkpoint")
    assert kept.status_code == 200 and kept.text.startswith(note(4).text)
    assert answer.text in kept.text and LOG.sign(note(4).text).line() in kept.text


def test_a_wrong_old_size_answers_409_with_the_size_the_witness_holds(client):
    client.post("/add-checkpoint", content=body(0, note(4)))
    answer = client.post("/add-checkpoint", content=body(0, note(7)))
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("text/x.tlog.size")
    assert answer.text == "4\n"


def test_an_extension_with_its_consistency_proof_is_cosigned(client):
    client.post("/add-checkpoint", content=body(0, note(4)))
    proof = consistency_proof(4, LEAVES[:7])
    assert client.post("/add-checkpoint", content=body(4, note(7), proof)).status_code == 200
    bad = [bytes(32) for _ in consistency_proof(7, LEAVES)]
    answer = client.post("/add-checkpoint", content=body(7, note(10), bad))
    assert answer.status_code == 422 and answer.json()["code"] == "log-forked"


@pytest.mark.parametrize(
    ("request_body", "status"),
    [
        (body(0, note(4, NoteSigner("khac.example/log", bytes(32)))), 404),
        (body(0, note(4, NoteSigner(ORIGIN, bytes(32)))), 403),
        (body(5, note(4)), 400),
        (body(0, note(4), [bytes(32)]), 422),
        (body(0, note(0, top=bytes(32))), 422),
        ("old 1\n", 400),
        ("old x\n\n" + str(note(4)), 400),
    ],
    ids=[
        "unknown-origin",
        "not-signed-by-the-log",
        "old-above-size",
        "proof-from-zero",
        "empty-tree-wrong-root",
        "no-checkpoint",
        "bad-old-line",
    ],
)
def test_each_refusal_has_the_status_the_protocol_names(client, request_body: str, status: int):
    answer = client.post("/add-checkpoint", content=request_body.encode())
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_bad_log_signature_under_the_logs_own_key_id_is_refused(client):
    good = note(4)
    sig = good.signatures[0]
    flipped = bytes([sig.signature[0] ^ 1]) + sig.signature[1:]
    forged = Note(good.text, (type(sig)(sig.name, sig.key_id, flipped),))
    assert client.post("/add-checkpoint", content=body(0, forged)).status_code == 403


def test_an_unknown_log_has_no_checkpoint_to_serve(client):
    assert client.get(f"/{'0' * 64}/checkpoint").status_code == 404


def test_the_key_id_in_a_cosignature_line_is_the_witness_vkeys(client, witness):
    answer = client.post("/add-checkpoint", content=body(0, note(1)))
    raw = base64.b64decode(answer.text.split(" ")[2])
    assert raw[:4] == witness.cosigner.vkey.key_id and len(raw) == 4 + 8 + 64
