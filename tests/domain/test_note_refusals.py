"""Malformed notes, vkeys, signatures, checkpoints and witness requests, a named corpus: each
is refused with the sentence a reader sees (inputs longer than the 40 characters quoted), and
each bound is probed on both sides."""

from __future__ import annotations

import base64

import pytest

from domain.notes import (
    COSIGNATURE_V1,
    DASH,
    ED25519,
    MAX_PROOF_LINES,
    MAX_SIGNATURES,
    AddCheckpoint,
    BadSignature,
    CheckpointText,
    MalformedNote,
    Note,
    Signature,
    Vkey,
    split_notes,
    verified_by,
)

NAME = "nhat-ky.hoctap.example/kiem-tra-dai-hon-bon-muoi-ky-tu"  # longer than 40 characters
KEY = Vkey(NAME, ED25519, b"\xfb" * 32)  # its base64 holds "+" and "/"
ROOT = base64.b64encode(bytes(range(32))).decode()
CHECKPOINT = f"{NAME}\n12\n{ROOT}\n"
SHORT_KEY = b"\x01" * 31


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def always(answer: bool):
    return lambda public_key, signature, message: answer


def signature_line(name: str, raw: bytes, separator: str = " ") -> str:
    return f"{DASH}{separator}{name}{separator}{b64(raw)}\n"


# --- vkeys -----------------------------------------------------------------------------------


def test_a_vkey_whose_key_material_holds_a_plus_sign_reads_back_as_itself():
    assert "+" in str(KEY).split("+", 2)[2]
    assert Vkey.parse(str(KEY)) == KEY


def vkey_refusal(text: str) -> str:
    with pytest.raises(MalformedNote) as raised:
        Vkey.parse(text)
    return str(raised.value)


SHAPE = "khóa xác minh không đúng dạng tên+mã+khóa: "
TEXT = str(KEY)
VKEYS = {
    "two parts": (f"{NAME}+{b64(b'x' * 33)}", SHAPE),
    "a space in the name": (TEXT.replace("-", " ", 1), SHAPE),
    "an empty name": ("+" + TEXT.split("+", 1)[1], SHAPE),
    "a seven-digit key id": (
        TEXT.replace("+", "+0", 1)[: len(NAME) + 8] + TEXT[len(NAME) + 9 :],
        SHAPE,
    ),
    "no key material": (f"{NAME}+{KEY.key_id.hex()}+", "khóa xác minh không phải Ed25519: "),
    "a short key": (
        f"{NAME}+{KEY.key_id.hex()}+{b64(SHORT_KEY)}",
        "khóa xác minh không phải Ed25519: ",
    ),
    "another key's id": (
        TEXT.replace(KEY.key_id.hex(), "00000000"),
        "mã khóa không khớp tên và khóa: ",
    ),
    "not base64": (f"{NAME}+{KEY.key_id.hex()}+" + "*" * 30, "không phải base64: "),
}


@pytest.mark.parametrize(("text", "says"), VKEYS.values(), ids=VKEYS.keys())
def test_a_malformed_vkey_is_refused_quoting_its_first_40_characters(text, says):
    quoted = repr("*" * 20) if says == "không phải base64: " else repr(text[:40])
    assert vkey_refusal(text) == says + quoted


# --- signature lines -------------------------------------------------------------------------


def test_a_signature_line_reads_back_as_itself_with_its_newline():
    signature = Signature(NAME, b"\x01\x02\x03\x04", b"\x05")  # the shortest: one byte signed
    assert Signature.parse(signature.line()) == signature


LINE = "dòng chữ ký không đúng dạng: "
LINES = {
    "two spaces": (signature_line(NAME, b"\x00" * 68, "  "), LINE),
    "a hyphen for the dash": (signature_line(NAME, b"\x00" * 68).replace(DASH, "-"), LINE),
    "four fields": (signature_line(NAME, b"\x00" * 68).replace("\n", " AAAA\n"), LINE),
    "a plus in the name": (signature_line(NAME + "+x", b"\x00" * 68), LINE),
    "four bytes": (signature_line(NAME, b"\x00" * 4), "chữ ký quá ngắn: "),
}


@pytest.mark.parametrize(("line", "says"), LINES.values(), ids=LINES.keys())
def test_a_malformed_signature_line_is_refused_quoting_its_first_40_characters(line, says):
    with pytest.raises(MalformedNote) as raised:
        Signature.parse(line)
    assert str(raised.value) == says + repr(line[:40])


# --- notes -----------------------------------------------------------------------------------


def signed(count: int) -> str:
    lines = "".join(signature_line(f"k{n}", b"\x00" * 68) for n in range(count))
    return f"{CHECKPOINT}\n{lines}"


def test_a_note_prints_each_of_its_signatures_on_its_own_line():
    note = Note.parse(signed(2))
    assert str(note) == signed(2)


def test_a_note_whose_text_holds_a_blank_line_ends_at_its_last_blank_line():
    message = "a\n\nb\n\n" + signature_line(NAME, b"\x00" * 68)
    assert Note.parse(message).text == "a\n\nb\n"
    assert [note.text for note in split_notes(message + "\n" + message)] == ["a\n\nb\n"] * 2


def test_a_note_may_carry_exactly_the_most_signatures_allowed():
    assert len(Note.parse(signed(MAX_SIGNATURES)).signatures) == MAX_SIGNATURES


NOTES = {
    "a tab": (
        signed(1).replace("\n", "\t\n", 1),
        "ghi chú có ký tự điều khiển hoặc không kết thúc bằng xuống dòng",
    ),
    "no final newline": (
        signed(1)[:-1],
        "ghi chú có ký tự điều khiển hoặc không kết thúc bằng xuống dòng",
    ),
    "no blank line": (
        CHECKPOINT + signature_line(NAME, b"\x00" * 68),
        "ghi chú không có dòng trống và chữ ký",
    ),
    "no signature": (CHECKPOINT + "\n\n", "ghi chú không có dòng trống và chữ ký"),
    "one signature too many": (signed(MAX_SIGNATURES + 1), "ghi chú có quá nhiều chữ ký"),
}


@pytest.mark.parametrize(("message", "says"), NOTES.values(), ids=NOTES.keys())
def test_a_malformed_note_is_refused_saying_why(message, says):
    with pytest.raises(MalformedNote) as raised:
        Note.parse(message)
    assert str(raised.value) == says


# --- verifying -------------------------------------------------------------------------------

COSIGNER = Vkey("witness.example", COSIGNATURE_V1, b"\x07" * 32)


def cosigned(stamp: int, key: Vkey = COSIGNER) -> Note:
    raw = key.key_id + stamp.to_bytes(8, "big") + b"\x00" * 64
    return Note(CHECKPOINT, (Signature(key.name, raw[:4], raw[4:]),))


def test_a_known_key_is_found_behind_an_unknown_one_and_counted_once():
    note = cosigned(1_700_000_000)
    twice = Note(note.text, note.signatures * 2)
    other = Vkey("other.example", COSIGNATURE_V1, b"\x08" * 32)
    assert verified_by(twice, [other, COSIGNER], always(True)) == [(COSIGNER, 1_700_000_000)]


def test_a_cosignature_time_stamp_must_be_below_2_to_the_63():
    assert verified_by(cosigned(2**63 - 1), [COSIGNER], always(True)) == [(COSIGNER, 2**63 - 1)]
    with pytest.raises(BadSignature) as raised:
        verified_by(cosigned(2**63), [COSIGNER], always(True))
    assert (str(raised.value), raised.value.name) == (
        "chữ ký của witness.example không hợp lệ",
        "witness.example",
    )


def test_a_cosignature_of_the_wrong_length_is_a_bad_signature_of_its_key():
    note = cosigned(1)
    short = Note(note.text, (Signature(COSIGNER.name, COSIGNER.key_id, b"\x00" * 71),))
    with pytest.raises(BadSignature) as raised:
        verified_by(short, [COSIGNER], always(True))
    assert raised.value.name == "witness.example"


# --- checkpoints and witness requests --------------------------------------------------------

CHECKPOINTS = {
    "two lines": (f"{NAME}\n12\n", "điểm kiểm cần ba dòng: nguồn gốc, kích thước, gốc"),
    "no final newline": (CHECKPOINT[:-1], "điểm kiểm cần ba dòng: nguồn gốc, kích thước, gốc"),
    "an empty origin": (
        CHECKPOINT.replace(NAME, ""),
        "điểm kiểm cần ba dòng: nguồn gốc, kích thước, gốc",
    ),
    "an empty extension line": (
        CHECKPOINT + "\n",
        "điểm kiểm cần ba dòng: nguồn gốc, kích thước, gốc",
    ),
    "a leading zero": (
        CHECKPOINT.replace("\n12\n", "\n012\n"),
        "kích thước cây không hợp lệ: '012'",
    ),
    "a short root": (CHECKPOINT.replace(ROOT, b64(bytes(31))), "gốc cây không đủ 32 byte"),
}


@pytest.mark.parametrize(("text", "says"), CHECKPOINTS.values(), ids=CHECKPOINTS.keys())
def test_a_malformed_checkpoint_is_refused_saying_why(text, says):
    with pytest.raises(MalformedNote) as raised:
        CheckpointText.parse(text)
    assert str(raised.value) == says


def test_a_checkpoint_of_size_0_and_one_with_an_extension_line_are_read():
    assert CheckpointText.parse(CHECKPOINT.replace("\n12\n", "\n0\n")).tree_size == 0
    assert CheckpointText.parse(CHECKPOINT + "extension\n").tree_size == 12


def request(old: str, proof_lines: int = 0) -> str:
    proof = "".join(b64(bytes(32)) + "\n" for _ in range(proof_lines))
    return f"old {old}\n{proof}\n{signed(1)}"


def test_a_witness_request_may_carry_the_longest_proof_allowed():
    parsed = AddCheckpoint.parse(request("5", MAX_PROOF_LINES))
    assert (parsed.old_size, len(parsed.proof)) == (5, MAX_PROOF_LINES)
    assert AddCheckpoint.parse(request("0")).old_size == 0


REQUESTS = {
    "no blank line": (
        "old 5\n" + signed(1).replace("\n\n", "\n"),
        "yêu cầu cần dòng `old <kích thước>`, bằng chứng, dòng trống",
    ),
    "no old line": (
        request("5").replace("old 5", "cu 5"),
        "yêu cầu cần dòng `old <kích thước>`, bằng chứng, dòng trống",
    ),
    "a leading zero": (request("05"), "kích thước cũ không hợp lệ: '05'"),
    "a sign": (request("+5"), "kích thước cũ không hợp lệ: '+5'"),
    "one proof line too many": (request("5", MAX_PROOF_LINES + 1), "bằng chứng nhất quán quá dài"),
}


@pytest.mark.parametrize(("body", "says"), REQUESTS.values(), ids=REQUESTS.keys())
def test_a_malformed_witness_request_is_refused_saying_why(body, says):
    with pytest.raises(MalformedNote) as raised:
        AddCheckpoint.parse(body)
    assert str(raised.value) == says


def test_signatures_added_to_a_note_follow_its_own_and_a_line_already_there_is_kept_once():
    first, second, third = (Signature(f"k{n}", bytes(4), bytes([n])) for n in range(3))
    note = Note(CHECKPOINT, (first, second))
    assert note.with_signatures([second, third]) == Note(CHECKPOINT, (first, second, third))
    assert note.with_signatures([]) == note
