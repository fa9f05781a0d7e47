"""The public checkpoint as a C2SP note with its cosignatures, and cosignatures sent back.

Anyone reads the latest checkpoint note (no token), checks it with the log's vkey from
``GET /audit/checkpoints``, and finds every witness's cosignature the log kept. Only lines
that verify against the configured witness keys are kept.
"""

from __future__ import annotations

import dataclasses

from application.adapters.notary import Cosigner, ed25519_verify
from domain.notes import CheckpointText, Note, Signature, Vkey, verified_by
from tests.api.helpers import Api

WITNESS = Cosigner("thanh-tra.example/w1", bytes(range(32)))


def _signed(api: Api) -> Note:
    api.user("inspector", ["inspector"])
    api.post("inspector", "/audit/checkpoints", status=201)
    assert api.ledger is not None
    api.ledger.cosignatures = dataclasses.replace(api.ledger.cosignatures, witnesses=[WITNESS.vkey])
    answer = api.client.get("/audit/checkpoint")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    assert "charset=utf-8" in answer.headers["content-type"]
    return Note.parse(answer.text)


def test_the_latest_checkpoint_note_verifies_with_the_published_vkey(api: Api):
    note = _signed(api)
    public = api.client.get("/audit/checkpoints").json()  # JSON stays the default
    vkey = Vkey.parse(public["vkey"])
    assert vkey.name == public["origin"] == CheckpointText.parse(note.text).origin
    assert verified_by(note, [vkey], ed25519_verify) == [(vkey, 0)]
    assert public["checkpoints"][-1]["note"] == str(note)
    negotiated = api.client.get("/audit/checkpoints", headers={"Accept": "text/plain"})
    assert negotiated.text == str(note)


def test_a_cosignature_sent_back_is_kept_and_served_with_the_note(api: Api):
    note = _signed(api)
    line = WITNESS.cosign(note.text, 1_790_000_000).line()
    kept = api.client.post("/audit/cosignatures", content=(note.text + "\n" + line).encode())
    assert kept.status_code == 201 and kept.json()["witnesses"] == [WITNESS.name]
    served = Note.parse(api.client.get("/audit/checkpoint").text)
    assert served == note.with_signatures([Signature.parse(line)])


def test_a_cosignature_from_an_unknown_witness_is_not_kept(api: Api):
    note = _signed(api)
    stranger = Cosigner("la.example/w9", bytes(32)).cosign(note.text, 1_790_000_000).line()
    answer = api.client.post("/audit/cosignatures", content=(note.text + "\n" + stranger).encode())
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert stranger not in api.client.get("/audit/checkpoint").text


def test_a_bad_cosignature_from_a_known_witness_refuses_the_note(api: Api):
    note = _signed(api)
    good = WITNESS.cosign(note.text, 1_790_000_000)
    bad = dataclasses.replace(good, signature=good.signature[:8] + bytes(64)).line()
    answer = api.client.post("/audit/cosignatures", content=(note.text + "\n" + bad).encode())
    assert answer.status_code == 422 and WITNESS.name in answer.json()["detail"]


def test_a_cosignature_on_a_checkpoint_the_log_never_signed_is_refused(api: Api):
    _signed(api)
    text = str(CheckpointText("hoctap.example/ledger", 999, bytes(32)))
    line = WITNESS.cosign(text, 1_790_000_000).line()
    answer = api.client.post("/audit/cosignatures", content=(text + "\n" + line).encode())
    assert answer.status_code == 404


def test_no_note_yet_is_a_404_problem(api: Api):
    answer = api.client.get("/audit/checkpoint")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
