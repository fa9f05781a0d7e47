"""A witness holds the operator to what was signed: the operator's own moves are caught.

The log asks a witness to cosign over the tlog-witness wire format (the witness's HTTP app,
reached through a test client). Whoever runs the database and holds the log key can
re-chain a rewritten history and sign it again, cut the log and delete the checkpoint rows,
or sign two roots for one size: each time the witness refuses, says in one line what
differs, and keeps both notes and the proof as evidence; and ``verify --trusted`` against a
checkpoint note kept before the move fails, naming what differs.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.witness import create_witness_app
from application.adapters.checkpoints import KeptCheckpoints
from application.adapters.notary import Cosigner, NoteSigner, ed25519_verify
from application.adapters.witness_state import WitnessStateFile
from application.clients.housekeeping import ask_witnesses
from application.ledger import Ledger
from application.services.cosignatures import WitnessRefused
from application.services.records import VIETNAM
from application.services.witness import Witness, logs_by_origin
from domain.base import CommandContext
from domain.glossary import Role, UnitLevel
from domain.notes import AddCheckpoint, CheckpointText, Note, verified_by
from tests.application.test_tamper import (  # noqa: F401  (fixtures)
    RawLog,
    backend,
    rechained_history,
    truncated_log,
    world,
)

LATER = datetime(2026, 11, 21, 10, tzinfo=VIETNAM)
CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")


@dataclasses.dataclass
class Witnessed:
    ledger: Ledger
    raw: RawLog
    witness: Witness
    client: TestClient

    def post(self, body: str) -> tuple[int, str]:
        answer = self.client.post("/add-checkpoint", content=body.encode())
        return answer.status_code, answer.text

    def evidence(self) -> list[dict[str, object]]:
        folder = WitnessStateFile(self.state_path).evidence_dir
        return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]

    @property
    def state_path(self) -> Path:
        return self.witness.state.path  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def witnessed(world, tmp_path: Path) -> Witnessed:  # noqa: F811
    ledger, raw = world
    cosigner = Cosigner.generate("thanh-tra.example/nhan-chung")
    witness = Witness(
        cosigner,
        logs_by_origin([ledger.auditor.vkey]),
        WitnessStateFile(tmp_path / "nhan-chung" / "state.json"),
        lambda: datetime(2026, 11, 21, 11, tzinfo=VIETNAM),
    )
    ledger.cosignatures = dataclasses.replace(ledger.cosignatures, witnesses=[cosigner.vkey])
    return Witnessed(ledger, raw, witness, TestClient(create_witness_app(witness)))


def _grow(ledger: Ledger, code: str = "T-MOI") -> None:
    ledger.registry.establish_unit(
        CONSOLE,
        code=code,
        name="Tỉnh Mới",
        level=UnitLevel.PROVINCE,
        unit_type="tinh",
        parent_id=None,
        valid_from=date(2020, 1, 1),
    )


def _delete_checkpoints(raw: RawLog) -> None:
    raw.run(f"DELETE FROM {raw.checkpoints}")


def test_a_witness_cosigns_the_first_checkpoint_and_then_only_a_proven_extension(witnessed):
    ledger, witness = witnessed.ledger, witnessed.witness
    assert ledger.cosignatures.request_cosignature(witnessed.post) == [witness.cosigner.name]
    _grow(ledger)
    ledger.auditor.make_checkpoint(LATER)
    # The log learns the witness's size (409) and proves the new tree extends it.
    assert ledger.cosignatures.request_cosignature(witnessed.post) == [witness.cosigner.name]

    latest = ledger.cosignatures.latest()
    keys = [ledger.auditor.vkey, witness.cosigner.vkey]
    assert [k for k, _ in verified_by(latest, keys, ed25519_verify)] == keys
    assert CheckpointText.parse(latest.text).tree_size == witnessed.raw.count()
    assert witnessed.evidence() == []


def _rechain_and_resign(w: Witnessed) -> str:
    rechained_history(w.raw)
    _delete_checkpoints(w.raw)
    w.ledger.auditor.make_checkpoint(LATER)  # the log verifies against itself again
    return "two-roots"


def _rechain_grow_and_resign(w: Witnessed) -> str:
    rechained_history(w.raw)
    _delete_checkpoints(w.raw)
    _grow(w.ledger)
    w.ledger.auditor.make_checkpoint(LATER)
    return "inconsistent"


def _truncate_and_resign(w: Witnessed) -> str:
    truncated_log(w.raw)
    _delete_checkpoints(w.raw)
    w.ledger.auditor.make_checkpoint(LATER)
    return "shrink"


MOVES: dict[str, Callable[[Witnessed], str]] = {
    "rechain-and-resign": _rechain_and_resign,
    "rechain-grow-and-resign": _rechain_grow_and_resign,
    "truncate-delete-checkpoints-and-resign": _truncate_and_resign,
}


@pytest.mark.parametrize("name", list(MOVES))
def test_the_operators_move_is_refused_by_the_witness_which_keeps_the_evidence(
    witnessed, name: str
):
    ledger = witnessed.ledger
    ledger.cosignatures.request_cosignature(witnessed.post)
    cosigned = (witnessed.witness.state.read())[ledger.auditor.origin]

    kind = MOVES[name](witnessed)
    with pytest.raises(WitnessRefused) as refused:
        ledger.cosignatures.request_cosignature(witnessed.post)

    if kind == "shrink":  # the protocol's 409: the witness holds a larger tree
        assert "cắt ngắn" in refused.value.message
    else:
        assert "rẽ nhánh" in refused.value.message and "HTTP 422" in refused.value.message
    [evidence] = witnessed.evidence()
    assert evidence["kind"] == kind
    assert evidence["cosigned"] == cosigned
    assert Note.parse(str(evidence["presented"])).text == ledger.cosignatures.latest().text
    # What the witness cosigned did not move.
    assert witnessed.witness.state.read()[ledger.auditor.origin] == cosigned


def test_a_shrunk_checkpoint_is_answered_409_and_kept_as_evidence(witnessed):
    ledger = witnessed.ledger
    ledger.cosignatures.request_cosignature(witnessed.post)
    known = CheckpointText.parse(ledger.cosignatures.latest().text).tree_size
    _truncate_and_resign(witnessed)
    status, answer = witnessed.post(str(AddCheckpoint(0, (), ledger.cosignatures.latest())))
    assert (status, answer) == (409, f"{known}\n")  # the size held, as the protocol says
    [evidence] = witnessed.evidence()
    assert evidence["kind"] == "shrink"
    assert CheckpointText.parse(Note.parse(str(evidence["cosigned"])).text).tree_size == known


def test_two_roots_signed_for_one_size_are_a_fork_the_witness_records(witnessed):
    ledger = witnessed.ledger
    ledger.cosignatures.request_cosignature(witnessed.post)
    head = CheckpointText.parse(ledger.cosignatures.latest().text)
    # The key holder signs a second root for the same size, for someone else's eyes.
    other = CheckpointText(head.origin, head.tree_size, bytes(32))
    signer = NoteSigner(head.origin, witnessed.ledger.settings.signing_seed())
    second = Note(str(other), (signer.sign(str(other)),))

    status, answer = witnessed.post(str(AddCheckpoint(head.tree_size, (), second)))

    assert status == 422
    problem = json.loads(answer)
    assert problem["code"] == "log-forked" and "hai gốc khác nhau" in problem["detail"]
    [evidence] = witnessed.evidence()
    assert evidence["kind"] == "two-roots" and Note.parse(str(evidence["presented"])) == second


@pytest.mark.parametrize(
    ("move", "kind"),
    [(_rechain_and_resign, "root-mismatch"), (_truncate_and_resign, "truncated")],
    ids=["rechain-and-resign", "truncate-and-resign"],
)
def test_verify_against_a_checkpoint_note_kept_before_the_move_names_what_differs(
    witnessed, move, kind: str
):
    ledger = witnessed.ledger
    kept = KeptCheckpoints.parse(str(ledger.cosignatures.latest()), "thanh-tra.note")
    move(witnessed)
    assert ledger.auditor.verify().ok  # against itself, nothing shows
    report = ledger.auditor.verify(kept=[kept])
    assert report.problem is not None and report.problem.kind == kind, report.problem
    assert report.problem.expected != report.problem.found


def test_a_kept_note_from_another_log_or_key_is_a_forgery(witnessed):
    ledger = witnessed.ledger
    head = CheckpointText.parse(ledger.cosignatures.latest().text)
    signer = NoteSigner(head.origin, bytes(32))  # someone else's key, same origin
    forged = Note(str(head), (signer.sign(str(head)),))
    report = ledger.auditor.verify(kept=[KeptCheckpoints.parse(str(forged))])
    assert report.problem is not None and report.problem.kind == "forged-checkpoint"


def test_the_scheduled_job_asks_every_witness_and_one_unreachable_does_not_stop_the_others(
    witnessed,
):
    def unreachable(body: str) -> tuple[int, str]:
        raise OSError("connection refused")

    assert ask_witnesses(witnessed.ledger, [unreachable, witnessed.post]) == 1
    latest = witnessed.ledger.cosignatures.latest()
    assert [s.name for s in latest.signatures][-1] == witnessed.witness.cosigner.name
