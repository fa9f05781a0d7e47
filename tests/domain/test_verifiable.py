"""eddsa-jcs-2022 and the Bitstring Status List, against the spec's worked example.

``vectors/vc-di-eddsa`` holds the W3C vc-di-eddsa test vectors, unchanged: a key pair, an
unsigned credential and the same credential signed. Signing the unsigned one with that key,
at the proof's time, must give the published ``proofValue`` byte for byte (Ed25519 is
deterministic), and verifying the published one must hold; any change to the JCS bytes, the
hash order or the base58 alphabet disagrees with them.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.verifiable import (
    STATUS_LIST_BITS,
    Invalid,
    b58decode,
    b58encode,
    bit_at,
    decode_status_list,
    did_document,
    encode_status_list,
    hash_data,
    key_from_multibase,
    key_multibase,
    proof_config,
    secure,
    verify,
)

VECTORS = Path(__file__).parent / "vectors" / "vc-di-eddsa"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text("utf-8"))


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


PAIR = _load("keyPair.json")
SIGNED = _load("signedJCS.json")
UNSIGNED = _load("unsigned.json")
SEED = b58decode(PAIR["privateKeyMultibase"][1:])[2:]  # multicodec ed25519-priv 0x8026
PUBLIC = key_from_multibase(PAIR["publicKeyMultibase"])
KEY = Ed25519PrivateKey.from_private_bytes(SEED)


def test_the_vector_key_pair_is_one_ed25519_key():
    assert b58decode(PAIR["privateKeyMultibase"][1:])[:2] == b"\x80\x26"
    assert KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) == PUBLIC
    assert key_multibase(PUBLIC) == PAIR["publicKeyMultibase"]


def test_signing_the_spec_example_gives_the_published_proof():
    proof = SIGNED["proof"]
    signed = secure(UNSIGNED, KEY.sign, proof["verificationMethod"], proof["created"])
    assert signed == SIGNED
    # the intermediate values the spec prints: SHA-256 of the proof config, then of the doc
    config = proof_config(UNSIGNED, proof["verificationMethod"], proof["created"])
    assert hash_data(config, UNSIGNED).hex() == (
        "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"
        "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
    )


def test_the_published_example_verifies_and_any_change_to_it_does_not():
    assert verify(SIGNED, [PUBLIC], ed25519_verify, own_issuer=False) is None
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    assert "chữ ký không đúng" in str(verify(tampered, [PUBLIC], ed25519_verify, own_issuer=False))
    reordered = json.loads(json.dumps(SIGNED, sort_keys=True))  # JCS: key order is no change
    assert verify(reordered, [PUBLIC], ed25519_verify, own_issuer=False) is None
    # the vector's issuer is a URL, not the did:key that signed: refused by default
    assert "bên cấp" in str(verify(SIGNED, [PUBLIC], ed25519_verify))


def _signed_by(key: Ed25519PrivateKey) -> dict[str, Any]:
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    method = did_document(public)["assertionMethod"][0]
    document = copy.deepcopy(UNSIGNED) | {"issuer": method.partition("#")[0]}
    return secure(document, key.sign, method, "2026-01-01T00:00:00Z")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d["proof"].update(proofValue="z" + b58encode(bytes(64))), "chữ ký không đúng"),
        (lambda d: d["proof"].update(proofValue="x123"), "base58btc"),
        (lambda d: d["proof"].update(proofValue="z0OIl"), "ký tự lạ"),
        (lambda d: d["proof"].update(cryptosuite="eddsa-rdfc-2022"), "eddsa-jcs-2022"),
        (lambda d: d["proof"].update(proofPurpose="authentication"), "assertionMethod"),
        (lambda d: d["proof"].update(created="2027-01-01T00:00:00Z"), "chữ ký không đúng"),
        (lambda d: d.pop("proof"), "không có chữ ký"),
        (lambda d: d.update(proof=[d["proof"]]), "không có chữ ký"),
        (lambda d: d.update(validFrom="2000-01-01T00:00:00Z"), "chữ ký không đúng"),
        (lambda d: d.update(issuer="did:key:z6MkSomeoneElse"), "bên cấp"),
        (lambda d: d["proof"].update({"@context": ["https://evil.example"]}), "@context"),
        (lambda d: d["proof"].update(verificationMethod="https://evil.example#k"), "did:key"),
    ],
)
def test_every_tampering_is_named_in_one_line(change, said):
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    document = _signed_by(key)
    assert verify(document, [public], ed25519_verify) is None
    change(document)
    answer = verify(document, [public], ed25519_verify)
    assert answer is not None and said in answer and "\n" not in answer


def test_a_proof_swapped_from_another_credential_or_key_fails():
    ours = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    theirs = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    public = ours.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    forged = _signed_by(theirs)  # well formed, signed by a key that is not the ledger's
    assert "không phải khóa của sổ cái" in str(verify(forged, [public], ed25519_verify))
    one, other = _signed_by(ours), _signed_by(ours) | {"name": "Bằng khác"}
    other = secure(other, ours.sign, one["proof"]["verificationMethod"], "2026-01-02T00:00:00Z")
    one["proof"] = other["proof"]
    assert "chữ ký không đúng" in str(verify(one, [public], ed25519_verify))


@pytest.mark.parametrize("junk", [None, [], "x", 1, {"proof": "x"}, {"proof": {}}])
def test_what_is_no_credential_is_refused_never_raised(junk):
    assert verify(junk, [bytes(32)], ed25519_verify) is not None


def test_base58_keeps_leading_zeros_and_round_trips():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(64)), b"\xff" * 33):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"  # the Bitcoin alphabet's example


def test_a_status_list_sets_exactly_the_revoked_bits_left_first():
    encoded = encode_status_list([0, 7, 8, STATUS_LIST_BITS - 1])
    assert encoded.startswith("u") and "=" not in encoded
    bits = decode_status_list(encoded)
    assert len(bits) == STATUS_LIST_BITS // 8
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000 and bits[-1] == 1
    assert [i for i in range(STATUS_LIST_BITS) if bit_at(bits, i)] == [
        0,
        7,
        8,
        STATUS_LIST_BITS - 1,
    ]
    with pytest.raises(ValueError):
        encode_status_list([STATUS_LIST_BITS])
    with pytest.raises(Invalid):
        bit_at(bits, STATUS_LIST_BITS)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "z123",
        "u!!!!",
        "u" + "A" * 100,  # base64 of no GZIP
        # too short: 16 KiB is the minimum
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100), mtime=0)).decode(),
        # a GZIP bomb: 64 MiB of zeros in a few dozen KiB
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 << 20), mtime=0)).decode(),
    ],
    # Named: an empty id ("[]") and one holding GZIP's time stamp cannot be asked for again
    # by node id, which is how mutmut reruns the tests that reach a mutant.
    ids=["empty", "unknown-base", "not-base64", "not-gzip", "too-short", "gzip-bomb"],
)
def test_a_malformed_or_oversized_status_list_is_refused(encoded):
    with pytest.raises(Invalid):
        decode_status_list(encoded)
