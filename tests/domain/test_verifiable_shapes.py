"""The exact shapes a verifier reads: the DID document and JWK of the issuer key, the identity
hash, base58 with its published vectors, and each refusal of a key, a method or a status
index with its sentence."""

from __future__ import annotations

import hashlib

import pytest

from domain.verifiable import (
    Invalid,
    b58decode,
    b58encode,
    bit_at,
    did_document,
    identity_hash,
    jwk,
    key_from_multibase,
    key_of_method,
)

KEY = bytes(range(32))
MULTIBASE = "z6MkeTGwHmLmuCmgg4ABYhzWVh6ZX7hTwWt8gguAretUfc9c"
DID = f"did:key:{MULTIBASE}"
METHOD = f"{DID}#{MULTIBASE}"


def test_the_did_document_of_a_key_is_a_known_answer():
    assert did_document(KEY) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [
            {
                "id": METHOD,
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": MULTIBASE,
            }
        ],
        "authentication": [METHOD],
        "assertionMethod": [METHOD],
    }


def test_the_jwk_of_a_key_is_a_known_answer():
    assert jwk(KEY) == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        "kid": METHOD,
        "alg": "EdDSA",
        "use": "sig",
    }


def test_an_identity_hash_is_sha256_of_the_identity_then_the_salt():
    expected = hashlib.sha256(b"lan@example.vn" + b"muoi-6").hexdigest()
    assert identity_hash("lan@example.vn", "muoi-6") == f"sha256${expected}"


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"Hello World!", "2NEpo7TZRRrLZSi2U"), (b"\0\0\x28\x7f\xb4\xcd", "11233QC4"), (b"", "")],
)
def test_base58_reads_and_writes_the_published_vectors(raw, text):
    assert (b58encode(raw), b58decode(text)) == (text, raw)


def test_base58_longer_than_200_characters_or_with_a_foreign_character_is_refused():
    assert b58decode("1" * 200) == bytes(200)
    for text, says in (("1" * 201, "chuỗi base58 quá dài"), ("10", "chuỗi base58 có ký tự lạ")):
        with pytest.raises(Invalid) as raised:
            b58decode(text)
        assert str(raised.value) == says


NOT_KEYS = {
    "not text": (None, "khóa không ở dạng multibase base58btc (z…)"),
    "not base58btc": ("m" + MULTIBASE[1:], "khóa không ở dạng multibase base58btc (z…)"),
    "one byte short": (
        "z" + b58encode(b"\xed\x01" + KEY[:31]),
        "khóa không phải khóa công khai Ed25519",
    ),
    "another codec": ("z" + b58encode(b"\xec\x01" + KEY), "khóa không phải khóa công khai Ed25519"),
}


@pytest.mark.parametrize(("text", "says"), NOT_KEYS.values(), ids=NOT_KEYS.keys())
def test_what_is_not_an_ed25519_multikey_is_refused(text, says):
    assert key_from_multibase(MULTIBASE) == KEY
    with pytest.raises(Invalid) as raised:
        key_from_multibase(text)
    assert str(raised.value) == says


NOT_METHODS = {
    "not text": (None, "phương thức xác minh không hợp lệ"),
    "longer than 200": (METHOD + "x" * (201 - len(METHOD)), "phương thức xác minh không hợp lệ"),
    "another DID method": (
        METHOD.replace("did:key:", "did:web:"),
        "phương thức xác minh không phải did:key",
    ),
    "another fragment": (f"{DID}#key-1", "phương thức xác minh không phải did:key"),
    "no fragment": (DID, "phương thức xác minh không phải did:key"),
}


@pytest.mark.parametrize(("method", "says"), NOT_METHODS.values(), ids=NOT_METHODS.keys())
def test_a_method_other_than_a_did_key_naming_itself_is_refused(method, says):
    assert key_of_method(METHOD) == KEY
    with pytest.raises(Invalid) as raised:
        key_of_method(method)
    assert str(raised.value) == says


def test_status_bits_are_read_most_significant_first_within_the_list():
    assert [bit_at(b"\x80\x01", i) for i in (0, 1, 7, 8, 15)] == [True, False, False, False, True]
    for index in (-1, 16):
        with pytest.raises(Invalid) as raised:
            bit_at(b"\x80\x01", index)
        assert str(raised.value) == "chỉ số trạng thái nằm ngoài danh sách"
