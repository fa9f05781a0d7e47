"""Verifiable credentials (W3C VC 2.0) secured by a Data Integrity proof, eddsa-jcs-2022,
and the Bitstring Status List that revokes them (pure: the signature itself is a callable).

* JCS (RFC 8785) canonicalises a JSON value; ``rfc8785`` does it (a library nobody here
  wrote, pinned).
* eddsa-jcs-2022 (https://www.w3.org/TR/vc-di-eddsa/#eddsa-jcs-2022): the proof
  configuration is the proof without ``proofValue``, carrying the document's ``@context``;
  the bytes signed are SHA-256(JCS(proof configuration)) ‖ SHA-256(JCS(document without its
  proof)); ``proofValue`` is the Ed25519 signature in multibase base58btc (``z…``).
* The issuer is a ``did:key`` (Ed25519, multicodec 0xed01): its verification method
  resolves from the identifier alone, with no network, and is the same key that signs the
  log's checkpoints.
* Bitstring Status List v1.0: bit ``i`` (the left-most bit of the first byte is 0) of a
  GZIP-compressed bitstring of at least 131,072 bits, in multibase base64url (``u…``).

Verification answers one line in Vietnamese saying what fails, or ``None`` when it holds.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import rfc8785

CONTEXT_VC2 = "https://www.w3.org/ns/credentials/v2"
CONTEXT_OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CRYPTOSUITE = "eddsa-jcs-2022"
STATUS_LIST_BITS = 131_072  # the minimum the spec asks for (16 KiB): hides who is revoked
#: A status list's bitstring larger than this once decompressed is refused (GZIP bomb).
MAX_STATUS_BYTES = 1 << 20

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub, varint

Verify = Callable[[bytes, bytes, bytes], bool]  # (public key, signature, message)


class Invalid(ValueError):
    """What cannot be read as a credential, a key or a status list (message in Vietnamese)."""


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON value."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as error:
        raise Invalid(f"không chuẩn hóa JCS được: {error}") from error


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    if len(text) > 200:
        raise Invalid("chuỗi base58 quá dài")
    number = 0
    for char in text:
        digit = _B58.find(char)
        if digit < 0:
            raise Invalid("chuỗi base58 có ký tự lạ")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def key_multibase(public_key: bytes) -> str:
    """``z6Mk…``: an Ed25519 public key as multikey (multicodec + base58btc)."""
    return "z" + b58encode(_ED25519_PUB + public_key)


def key_from_multibase(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise Invalid("khóa không ở dạng multibase base58btc (z…)")
    raw = b58decode(text[1:])
    if len(raw) != 34 or not raw.startswith(_ED25519_PUB):
        raise Invalid("khóa không phải khóa công khai Ed25519")
    return raw[2:]


def did_key(public_key: bytes) -> str:
    return "did:key:" + key_multibase(public_key)


def verification_method(public_key: bytes) -> str:
    return f"{did_key(public_key)}#{key_multibase(public_key)}"


def key_of_method(method: Any) -> bytes:
    """The public key a ``did:key:z…#z…`` verification method names (no network)."""
    if not isinstance(method, str) or len(method) > 200:
        raise Invalid("phương thức xác minh không hợp lệ")
    did, _, fragment = method.partition("#")
    if not did.startswith("did:key:") or fragment != did[len("did:key:") :]:
        raise Invalid("phương thức xác minh không phải did:key")
    return key_from_multibase(fragment)


def did_document(public_key: bytes) -> dict[str, Any]:
    """The DID document a ``did:key`` resolves to (Multikey form)."""
    did, method = did_key(public_key), verification_method(public_key)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key_multibase(public_key),
            }
        ],
        "authentication": [method],
        "assertionMethod": [method],
    }


def jwk(public_key: bytes) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(public_key).decode().rstrip("="),
        "kid": verification_method(public_key),
        "alg": "EdDSA",
        "use": "sig",
    }


def hash_data(proof_config: dict[str, Any], document: dict[str, Any]) -> bytes:
    """What eddsa-jcs-2022 signs: SHA-256 of the canonical proof configuration, then
    SHA-256 of the canonical document (without its proof)."""
    return (
        hashlib.sha256(canonical(proof_config)).digest()
        + hashlib.sha256(canonical(document)).digest()
    )


def proof_config(document: dict[str, Any], method: str, created: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in document:
        config["@context"] = document["@context"]
    return config


def secure(
    document: dict[str, Any], sign: Callable[[bytes], bytes], method: str, created: str
) -> dict[str, Any]:
    """``document`` with an eddsa-jcs-2022 proof by ``sign`` (Ed25519 over the hash data)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = proof_config(unsecured, method, created)
    signature = sign(hash_data(config, unsecured))
    return unsecured | {"proof": config | {"proofValue": "z" + b58encode(signature)}}


def issuer_id(document: dict[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def verify(
    secured: Any, trusted: Iterable[bytes], ed25519_verify: Verify, *, own_issuer: bool = True
) -> str | None:
    """Why ``secured`` does not hold as signed by one of the ``trusted`` public keys, in one
    line of Vietnamese; None when it holds. Never raises. ``own_issuer``: the issuer must be
    the ``did:key`` that signed (the spec's test vector names another issuer)."""
    if not isinstance(secured, dict):
        return "không phải một chứng chỉ (cần một đối tượng JSON)"
    proof = secured.get("proof")
    if not isinstance(proof, dict):
        return "chứng chỉ không có chữ ký (proof) hoặc có nhiều hơn một"
    if (proof.get("type"), proof.get("cryptosuite")) != ("DataIntegrityProof", CRYPTOSUITE):
        return f"chữ ký không theo bộ {CRYPTOSUITE} (DataIntegrityProof)"
    if proof.get("proofPurpose") != "assertionMethod":
        return "chữ ký không dành cho việc xác nhận (proofPurpose phải là assertionMethod)"
    if not isinstance(proof.get("created"), str):
        return "chữ ký thiếu thời điểm ký (created)"
    try:
        public_key = key_of_method(proof.get("verificationMethod"))
        value = proof.get("proofValue")
        if not isinstance(value, str) or not value.startswith("z"):
            return "giá trị chữ ký không ở dạng base58btc (z…)"
        signature = b58decode(value[1:])
    except Invalid as error:
        return str(error)
    if public_key not in set(trusted):
        return "chứng chỉ được ký bằng một khóa không phải khóa của sổ cái"
    did = str(proof["verificationMethod"]).partition("#")[0]
    if own_issuer and issuer_id(secured) != did:
        return "bên cấp ghi trong chứng chỉ không phải chủ của khóa đã ký"
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        wanted, got = options["@context"], unsecured.get("@context")
        if not isinstance(wanted, list) or not isinstance(got, list):
            return "@context của chứng chỉ hoặc của chữ ký không phải danh sách"
        if got[: len(wanted)] != wanted:
            return "@context của chứng chỉ không khớp với chữ ký"
        unsecured["@context"] = wanted
    try:
        message = hash_data(options, unsecured)
    except Invalid as error:
        return str(error)
    if len(signature) != 64 or not ed25519_verify(public_key, signature, message):
        return "chữ ký không đúng: chứng chỉ đã bị sửa hoặc giả mạo"
    return None


# ---------------------------------------------------------------- Bitstring Status List


def encode_status_list(revoked: Iterable[int], bits: int = STATUS_LIST_BITS) -> str:
    """``u…``: multibase base64url (no padding) of GZIP of the bitstring with ``revoked`` set."""
    data = bytearray((bits + 7) // 8)
    for index in revoked:
        if not 0 <= index < bits:
            raise ValueError(f"status index {index} outside the list")
        data[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_status_list(encoded: Any) -> bytes:
    """The bitstring an ``encodedList`` holds; refuses what is not one, or a GZIP bomb."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > 4 << 20:
        raise Invalid("danh sách trạng thái không ở dạng multibase base64url (u…)")
    try:
        packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as unzipped:
            data = unzipped.read(MAX_STATUS_BYTES + 1)
    except (ValueError, OSError, EOFError, zlib.error) as error:
        raise Invalid("danh sách trạng thái không giải nén được") from error
    if len(data) > MAX_STATUS_BYTES:
        raise Invalid("danh sách trạng thái quá lớn")
    if len(data) * 8 < STATUS_LIST_BITS:
        raise Invalid("danh sách trạng thái ngắn hơn 131.072 bit")
    return data


def bit_at(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise Invalid("chỉ số trạng thái nằm ngoài danh sách")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def identity_hash(identity: str, salt: str) -> str:
    """OB 3.0 ``identityHash``: ``sha256$`` + hex SHA-256 of the identity then the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()
