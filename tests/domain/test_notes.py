"""C2SP signed notes, vkeys, checkpoints and cosignatures, byte for byte.

``vectors/signed-notes.json`` holds known answers published by golang.org/x/mod/sumdb/note,
the C2SP spec and transparency-dev/formats (origins at its top): the notes they signed verify
here and serialise back to the same bytes, their signer key signs the same bytes here, and
the vkeys they refuse are refused.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from application.adapters.notary import Cosigner, NoteSigner, ed25519_verify
from domain.notes import (
    COSIGNATURE_V1,
    AddCheckpoint,
    BadSignature,
    CheckpointText,
    MalformedNote,
    Note,
    Signature,
    Vkey,
    cosignature_message,
    split_notes,
    verified_by,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "signed-notes.json").read_text("utf-8"))
SPEC_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)


@pytest.mark.parametrize("vector", VECTORS["signed_notes"], ids=lambda v: v["vkey"][:20])
def test_a_published_note_verifies_and_serialises_back_to_the_same_bytes(vector):
    vkey = Vkey.parse(vector["vkey"])
    note = Note.parse(vector["note"])
    assert str(vkey) == vector["vkey"]
    assert verified_by(note, [vkey], ed25519_verify) == [(vkey, 0)]
    assert str(note) == vector["note"]


def test_the_published_signer_key_signs_the_published_bytes():
    vector = VECTORS["signed_notes"][0]
    seed = Cosigner.from_skey(vector["signer_key"]).seed
    signer = NoteSigner("PeterNeumann", seed)
    note = Note.parse(vector["note"])
    assert str(signer.vkey) == vector["vkey"]
    assert Note(note.text, (signer.sign(note.text),)) == note


@pytest.mark.parametrize("vector", VECTORS["bad_vkeys"], ids=lambda v: v["why"])
def test_a_vkey_refused_by_the_reference_is_refused(vector):
    with pytest.raises(MalformedNote):
        Vkey.parse(vector["vkey"])


def test_a_published_cosignature_vkey_has_the_key_id_of_type_4():
    vkey = Vkey.parse(VECTORS["cosignature_vkeys"][0]["vkey"])
    assert vkey.signature_type == COSIGNATURE_V1


def test_a_published_cosignature_carries_its_timestamp_after_the_key_id():
    vector = VECTORS["cosignature_timestamps"][0]
    raw = base64.b64decode(vector["signature"])
    assert int.from_bytes(raw[4:12], "big") == vector["timestamp"]


def test_a_bad_signature_from_a_known_key_rejects_the_note_and_unknown_keys_are_ignored():
    peter, enoch = VECTORS["signed_notes"][:2]
    note = Note.parse(peter["note"])
    raw = bytearray(note.signatures[0].signature)
    raw[0] ^= 1
    forged = Note(note.text, (Signature("PeterNeumann", note.signatures[0].key_id, bytes(raw)),))
    with pytest.raises(BadSignature):
        verified_by(forged, [Vkey.parse(peter["vkey"])], ed25519_verify)
    assert verified_by(note, [Vkey.parse(enoch["vkey"])], ed25519_verify) == []


def test_a_cosignature_signs_the_header_the_time_and_the_checkpoint_with_the_time_first():
    cosigner = Cosigner("witness.example/w1", bytes(range(32)))
    signature = cosigner.cosign(SPEC_CHECKPOINT, 1679315147)
    assert cosignature_message(SPEC_CHECKPOINT, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + SPEC_CHECKPOINT.encode()
    )
    assert signature.signature[:8] == (1679315147).to_bytes(8, "big")
    assert len(signature.signature) == 8 + 64 and signature.key_id == cosigner.vkey.key_id
    note = Note(SPEC_CHECKPOINT, (signature,))
    assert verified_by(note, [cosigner.vkey], ed25519_verify) == [(cosigner.vkey, 1679315147)]
    # The same key as a plain note signer has another key ID: its line is not taken for one.
    plain = Vkey(cosigner.name, 0x01, cosigner.vkey.public_key)
    assert verified_by(note, [plain], ed25519_verify) == []


def test_a_key_file_round_trips_and_a_damaged_one_is_refused():
    cosigner = Cosigner.generate("thanh-tra.example/nhan-chung")
    assert Cosigner.from_skey(cosigner.skey()) == cosigner
    with pytest.raises(MalformedNote):
        Cosigner.from_skey(cosigner.skey().replace("PRIVATE+KEY+thanh", "PRIVATE+KEY+thanx"))


def test_the_spec_checkpoint_parses_and_formats_back():
    head = CheckpointText.parse(SPEC_CHECKPOINT)
    assert (head.origin, head.tree_size, len(head.root_hash)) == (
        "example.com/behind-the-sofa",
        20852163,
        32,
    )
    assert str(head) == SPEC_CHECKPOINT


@pytest.mark.parametrize(
    "text",
    ["a\n1\n", "a\n01\n" + "A" * 43 + "=\n", "a\n1\nAAAA\n", "a\n-1\n" + "A" * 43 + "=\n"],
    ids=["two-lines", "leading-zero", "short-root", "negative"],
)
def test_a_checkpoint_that_is_not_three_exact_lines_is_refused(text: str):
    with pytest.raises(MalformedNote):
        CheckpointText.parse(text)


def test_the_spec_add_checkpoint_request_parses_and_formats_back():
    body = (
        "old 20852014\n"
        "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
        "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
        "\n" + SPEC_CHECKPOINT + "\n"
        "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
        "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    )
    request = AddCheckpoint.parse(body)
    assert request.old_size == 20852014 and len(request.proof) == 2
    assert request.note.text == SPEC_CHECKPOINT
    assert str(request) == body


@pytest.mark.parametrize(
    "message",
    ["text\n", "text\n\n", "text\n\n\u2014 a b\n", "\x01text\n\n\u2014 a AAAAAAAA\n"],
    ids=["no-signatures", "blank-only", "bad-base64", "control-character"],
)
def test_a_message_that_is_not_a_signed_note_is_refused(message: str):
    with pytest.raises(MalformedNote):
        Note.parse(message)


def test_notes_kept_one_after_another_split_back_into_each_note():
    notes = [v["note"] for v in VECTORS["signed_notes"]]
    assert [str(n) for n in split_notes("\n".join(notes))] == notes
