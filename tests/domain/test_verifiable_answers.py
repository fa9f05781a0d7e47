"""What a verifier is told, word for word: each way a credential fails is one fixed sentence,
and each way a status list cannot be read is another; the status list a set of revocations
encodes to is a known answer (GZIP with no time stamp)."""

from __future__ import annotations

import base64
import copy
import gzip

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.verifiable import (
    MAX_STATUS_BYTES,
    STATUS_LIST_BITS,
    Invalid,
    bit_at,
    decode_status_list,
    encode_status_list,
    key_of_method,
    secure,
    verify,
)
from tests.domain.test_verifiable import UNSIGNED, _signed_by, ed25519_verify

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def proof(**fields):
    return lambda document: document["proof"].update(fields)


def untrusted(document):
    document.clear()
    document.update(_signed_by(OTHER))


ANSWERS = {
    "no object": (lambda d: d.clear(), "chứng chỉ không có chữ ký (proof) hoặc có nhiều hơn một"),
    "another suite": (
        proof(cryptosuite="eddsa-rdfc-2022"),
        "chữ ký không theo bộ eddsa-jcs-2022 (DataIntegrityProof)",
    ),
    "another purpose": (
        proof(proofPurpose="authentication"),
        "chữ ký không dành cho việc xác nhận (proofPurpose phải là assertionMethod)",
    ),
    "no time": (lambda d: d["proof"].pop("created"), "chữ ký thiếu thời điểm ký (created)"),
    "not base58btc": (proof(proofValue="x123"), "giá trị chữ ký không ở dạng base58btc (z…)"),
    "a foreign character": (proof(proofValue="z0OIl"), "chuỗi base58 có ký tự lạ"),
    "another key": (untrusted, "chứng chỉ được ký bằng một khóa không phải khóa của sổ cái"),
    "another issuer": (
        lambda d: d.update(issuer="did:key:z6MkKhac"),
        "bên cấp ghi trong chứng chỉ không phải chủ của khóa đã ký",
    ),
    "a context that is no list": (
        proof(**{"@context": "https://www.w3.org/ns/credentials/v2"}),
        "@context của chứng chỉ hoặc của chữ ký không phải danh sách",
    ),
    "a document context that is no list": (
        lambda d: d.update({"@context": "https://www.w3.org/ns/credentials/v2"}),
        "@context của chứng chỉ hoặc của chữ ký không phải danh sách",
    ),
    "another context": (
        proof(**{"@context": ["https://evil.example"]}),
        "@context của chứng chỉ không khớp với chữ ký",
    ),
    "a changed claim": (
        lambda d: d.update(name="Bằng giả"),
        "chữ ký không đúng: chứng chỉ đã bị sửa hoặc giả mạo",
    ),
}


@pytest.mark.parametrize(("change", "answer"), ANSWERS.values(), ids=ANSWERS.keys())
def test_each_failure_of_a_credential_is_told_in_its_own_sentence(change, answer):
    document = _signed_by(KEY)
    change(document)
    assert verify(document, [PUBLIC], ed25519_verify) == answer


def test_what_is_no_json_object_is_told_so():
    assert verify(["x"], [PUBLIC], ed25519_verify) == (
        "không phải một chứng chỉ (cần một đối tượng JSON)"
    )


def test_a_credential_that_cannot_be_canonicalised_is_told_why():
    document = _signed_by(KEY) | {"score": float("nan")}
    answer = verify(document, [PUBLIC], ed25519_verify)
    assert answer is not None and answer.startswith("không chuẩn hóa JCS được: ")
    assert answer != "không chuẩn hóa JCS được: None"


def test_an_issuer_given_as_an_object_is_read_by_its_id():
    document = _signed_by(KEY)
    issuer = document["issuer"]
    document["issuer"] = {"id": issuer, "name": "UBND xã"}
    document = secure(
        document, KEY.sign, document["proof"]["verificationMethod"], "2026-01-01T00:00:00Z"
    )
    assert verify(document, [PUBLIC], ed25519_verify) is None
    document["issuer"] = {"ID": issuer}
    document = secure(
        document, KEY.sign, document["proof"]["verificationMethod"], "2026-01-01T00:00:00Z"
    )
    assert verify(document, [PUBLIC], ed25519_verify) == (
        "bên cấp ghi trong chứng chỉ không phải chủ của khóa đã ký"
    )


def test_signing_a_signed_credential_again_replaces_its_proof():
    once = _signed_by(KEY)
    again = secure(once, KEY.sign, once["proof"]["verificationMethod"], once["proof"]["created"])
    assert again == once
    assert set(copy.deepcopy(UNSIGNED)) <= set(again)


# --- the status list -----------------------------------------------------------------------


def test_a_status_list_encodes_to_a_known_answer():
    assert encode_status_list([0, 9]) == (
        "uH4sIAAAAAAACA-3BMQEAAAwCoEUz2qIbwwf4HAAAAAAAAAAAAAAAAAAAADBWPiK9agBAAAA"
    )


def test_an_index_outside_the_list_is_refused_naming_it():
    with pytest.raises(ValueError) as raised:
        encode_status_list([STATUS_LIST_BITS])
    assert str(raised.value) == f"status index {STATUS_LIST_BITS} outside the list"


def packed(size: int, cut: int = 0) -> str:
    """``size`` zero bytes GZIPped, less the last ``cut`` bytes of the stream."""
    stream = gzip.compress(bytes(size), mtime=0)
    return "u" + base64.urlsafe_b64encode(stream[: len(stream) - cut]).decode()


NOT_MULTIBASE = "danh sách trạng thái không ở dạng multibase base64url (u…)"
NOT_GZIP = "danh sách trạng thái không giải nén được"
LISTS = {
    "no text": (None, NOT_MULTIBASE),
    "another base": ("z123", NOT_MULTIBASE),
    "longer than 4 MiB": ("u" + "A" * (4 << 20), NOT_MULTIBASE),
    "4 MiB of no GZIP": ("u" + "A" * ((4 << 20) - 1), NOT_GZIP),
    "no GZIP": ("u" + "A" * 100, NOT_GZIP),
    "one byte too large": (packed(MAX_STATUS_BYTES + 1), "danh sách trạng thái quá lớn"),
    # Refused as too large once one byte past the limit is out, never unpacked further: its
    # end (here cut off, so unpacking on would fail) is not read, nor the rest of a bomb.
    "too large, its end never read": (
        packed(MAX_STATUS_BYTES + 1, cut=8),
        "danh sách trạng thái quá lớn",
    ),
    "one byte too small": (
        packed(STATUS_LIST_BITS // 8 - 1),
        "danh sách trạng thái ngắn hơn 131.072 bit",
    ),
}


@pytest.mark.parametrize(("encoded", "says"), LISTS.values(), ids=LISTS.keys())
def test_a_status_list_that_cannot_be_read_is_refused_saying_why(encoded, says):
    with pytest.raises(Invalid) as raised:
        decode_status_list(encoded)
    assert str(raised.value) == says


def test_a_status_list_of_exactly_the_largest_size_is_read():
    assert len(decode_status_list(packed(MAX_STATUS_BYTES))) == MAX_STATUS_BYTES


@pytest.mark.parametrize("revoked", [[1], [0, 9], [5, 77777]], ids=["1", "0-9", "5-77777"])
def test_a_status_list_reads_back_whatever_padding_its_text_left_out(revoked):
    encoded = encode_status_list(revoked)
    bits = decode_status_list(encoded)
    assert [i for i in revoked if bit_at(bits, i)] == revoked


def test_a_verification_method_of_exactly_200_characters_is_read_as_a_method():
    method = "did:key:" + "z" * 192
    with pytest.raises(Invalid) as raised:
        key_of_method(method)
    assert str(raised.value) == "phương thức xác minh không phải did:key"
