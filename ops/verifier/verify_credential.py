#!/usr/bin/env python3
"""Check a Hoctap Ledger credential (chứng chỉ số) offline: no database, no network.

    python3 ops/verifier/verify_credential.py chung-chi.json --key KEYFILE
        [--status STATUS_LIST.json] [--ho-ten "Họ và tên"] [--qr QR_PAYLOAD] [--today DATE]
    python3 ops/verifier/verify_credential.py "https://…/xac-minh/7K2QD-M9XRA-0VB4E-TT3HN"

Needs the standard library, ``cryptography`` and ``rfc8785``, plus this repository's
``domain/verifiable.py`` and ``domain/certificates.py``. ``--key`` is where the issuer's key
comes from, obtained independently of the credential: the ledger's JWK set
(``/.well-known/jwks.json``), its DID document (``/chung-chi/ben-cap.json``), an inspector
bundle or a checkpoints export (their ``public_key``: the same key signs the log), or the
key itself as ``z6Mk…``. It checks, and says in Vietnamese:

1. the credential's eddsa-jcs-2022 signature, by that key, and that the issuer is that key;
2. with ``--status``: the status list's own signature by the same key, that it is the list
   the credential names, and the credential's revocation bit;
3. the validity period against today (or ``--today``), by the rule the public check uses;
4. with ``--ho-ten``: whether the name is the holder's (the credential holds only its
   salted hash); with ``--qr``: whether a paper certificate's QR code is this credential's;
5. with ``--bundle``: the title's inspector bundle (``hoctap bundle``), signed by the same
   key, holds the grant this credential was issued for, and that grant's inclusion proof
   leads to the bundle's signed checkpoint (with every other check of
   ``ops/verifier/verify_bundle.py``).

A certificate's QR code alone holds only the address of the public check: given one, it
says the serial and that the check needs either that page or the credential file.

Exit code 0 when the credential holds and is in force, 1 otherwise (one line saying why),
2 when the command is used wrongly.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.certificates import certificate_serial, certificate_status, parse_serial
from domain.verifiable import (
    Invalid,
    bit_at,
    decode_status_list,
    identity_hash,
    key_from_multibase,
    verify,
)
from ops.verifier.verify_bundle import check as check_bundle
from ops.verifier.verify_bundle import stored_state, stored_uuid

GRANTED = "hoctap.AssessmentCase.TitleGranted"
MAX_CREDENTIAL_BYTES = 1 << 20
MAX_FILE_BYTES = 8 << 20  # a status list (16 KiB compressed at most, as a rule) or a key file
MAX_BUNDLE_BYTES = 64 << 20  # a bundle carries its evidence files
VERDICTS = {
    "valid": "Còn hiệu lực",
    "expired": "Hết hiệu lực",
    "revoked": "Đã thu hồi (hoặc đã được thay bằng giấy chứng nhận khác)",
    "not-yet": "Chưa có hiệu lực",
}


class Refused(Exception):
    """Why the check cannot go on, one line in Vietnamese."""


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def read_json(path: Path, what: str, limit: int) -> Any:
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise Refused(f"không đọc được {what} {path}: {error.strerror or error}") from error
    if len(raw) > limit:
        raise Refused(f"{what} quá lớn (hơn {limit // 1024} KiB): không phải tệp của sổ cái")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise Refused(f"{what} không phải JSON hợp lệ") from error


def trusted_keys(path: Path) -> list[bytes]:
    """The issuer keys a key file holds, in any of the forms the ledger publishes."""
    try:
        text = path.read_text("utf-8")[: MAX_FILE_BYTES + 1].strip()
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"không đọc được tệp khóa {path}") from error
    try:
        if text.startswith("z"):
            return [key_from_multibase(text.split()[0])]
        data = read_json(path, "tệp khóa", MAX_FILE_BYTES)
        keys: list[bytes] = []
        if isinstance(data, dict):
            for item in data.get("keys", []) if isinstance(data.get("keys"), list) else []:
                if isinstance(item, dict) and (item.get("kty"), item.get("crv")) == (
                    "OKP",
                    "Ed25519",
                ):
                    x = str(item.get("x", ""))
                    keys.append(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
            methods = data.get("verificationMethod")
            for item in methods if isinstance(methods, list) else []:
                if isinstance(item, dict) and "publicKeyMultibase" in item:
                    keys.append(key_from_multibase(item["publicKeyMultibase"]))
            if isinstance(data.get("public_key"), str):  # a bundle or checkpoints export
                keys.append(base64.b64decode(data["public_key"], validate=True))
    except (Invalid, ValueError) as error:
        raise Refused(f"tệp khóa {path} có khóa không đọc được: {error}") from error
    keys = [k for k in keys if len(k) == 32]
    if not keys:
        raise Refused(f"tệp khóa {path} không có khóa Ed25519 nào")
    return keys


def qr_serial(payload: str) -> str | None:
    """The serial a certificate's QR payload names (its address ends in /xac-minh/SERIAL)."""
    if len(payload) > 500:
        return None
    path = urlsplit(payload.strip()).path
    head, _, serial = path.rstrip("/").rpartition("/")
    if not head.endswith("/xac-minh"):
        return None
    return parse_serial(serial.removesuffix(".json"))


def credential_serial(credential: dict[str, Any]) -> str | None:
    identifier = credential.get("id")
    return qr_serial(identifier) if isinstance(identifier, str) else None


def _day(value: Any, what: str) -> date:
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError as error:
        raise Refused(f"chứng chỉ có {what} không đọc được") from error


def revoked(credential: dict[str, Any], status_list: Any, keys: list[bytes]) -> bool:
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise Refused("chứng chỉ không ghi mục trạng thái (BitstringStatusListEntry)")
    why = verify(status_list, keys, ed25519_verify)
    if why is not None:
        raise Refused(f"danh sách trạng thái không hợp lệ: {why}")
    subject = status_list.get("credentialSubject")
    if status_list.get("id") != entry.get("statusListCredential") or not isinstance(subject, dict):
        raise Refused("danh sách trạng thái không phải danh sách mà chứng chỉ trỏ tới")
    if subject.get("statusPurpose") != "revocation" or entry.get("statusPurpose") != "revocation":
        raise Refused("danh sách trạng thái không dành cho việc thu hồi")
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not index.isascii() or not index.isdigit():
        raise Refused("chỉ số trạng thái của chứng chỉ không hợp lệ")
    try:
        return bit_at(decode_status_list(subject.get("encodedList")), int(index))
    except Invalid as error:
        raise Refused(f"danh sách trạng thái không hợp lệ: {error}") from error


def check(args: argparse.Namespace) -> tuple[int, list[str]]:
    source: str = args.credential
    if not Path(source).exists() and qr_serial(source) is not None:
        serial = qr_serial(source)
        return 1, [
            f"Mã QR của giấy chứng nhận số {serial}: chỉ chứa địa chỉ trang kiểm tra trực tuyến.",
            "Ngoại tuyến: hãy kiểm tra bằng tệp chứng chỉ số (--qr để đối chiếu với mã này).",
        ]
    if args.key is None:
        raise Refused("cần --key: khóa của sổ cái (JWK, tài liệu DID, gói kiểm tra hoặc z6Mk…)")
    keys = trusted_keys(Path(args.key))
    credential = read_json(Path(source), "tệp chứng chỉ", MAX_CREDENTIAL_BYTES)
    why = verify(credential, keys, ed25519_verify)
    if why is not None:
        raise Refused(why)
    lines = ["Chữ ký hợp lệ: chứng chỉ do sổ cái cấp, không bị sửa."]
    serial = credential_serial(credential)
    if args.qr is not None:
        if qr_serial(args.qr) is None or qr_serial(args.qr) != serial:
            raise Refused("mã QR không phải của chứng chỉ này (khác số giấy chứng nhận)")
        lines.append(f"Mã QR khớp số giấy chứng nhận {serial}.")
    status = "valid"
    if args.status is not None:
        status_list = read_json(Path(args.status), "tệp danh sách trạng thái", MAX_FILE_BYTES)
        if revoked(credential, status_list, keys):
            status = "revoked"
        lines.append("Đã đối chiếu danh sách trạng thái (thu hồi).")
    else:
        lines.append("Chưa đối chiếu danh sách thu hồi: thêm --status để biết đã thu hồi chưa.")
    today = date.fromisoformat(args.today) if args.today else date.today()
    if status == "valid":
        if _day(credential.get("validFrom"), "ngày bắt đầu hiệu lực") > today:
            status = "not-yet"
        else:
            until = _day(credential.get("validUntil"), "ngày hết hiệu lực")
            status = certificate_status(until, [], today)[0]
    if args.bundle is not None:
        bundle = read_json(Path(args.bundle), "tệp gói kiểm tra", MAX_BUNDLE_BYTES)
        lines.append(grant_included(bundle, serial, keys))
    if args.ho_ten is not None:
        lines.append(
            f"Họ tên: {'khớp' if name_matches(credential, args.ho_ten) else 'không khớp'}."
        )
    lines.append(f"Kết luận: {VERDICTS[status]} (số {serial or '?'}).")
    return (0 if status == "valid" else 1), lines


def grant_included(bundle: Any, serial: str | None, keys: list[bytes]) -> str:
    """That the bundle, signed by a trusted key, holds the grant of certificate ``serial``
    with an inclusion proof to its signed checkpoint, and passes every check of
    ``verify_bundle.py``; :class:`Refused` saying what fails otherwise."""
    try:
        key = base64.b64decode(bundle["public_key"], validate=True)
        tree_size = int(bundle["checkpoint"]["tree_size"])
        results = check_bundle(bundle)
        grants = [
            (event, stored_state(event))
            for event in bundle["events"]
            if str(event["topic"]) == GRANTED
        ]
        mine = [
            event
            for event, state in grants
            if certificate_serial(UUID(event["originator_id"]), stored_uuid(state["decision_id"]))
            == serial
        ]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise Refused(f"gói kiểm tra hỏng hoặc không đúng dạng ({type(error).__name__})") from None
    if key not in keys:
        raise Refused("gói kiểm tra không do khóa của sổ cái ký (khác khóa đã tin)")
    failed = [text for ok, text in results if not ok]
    if failed:
        raise Refused(f"gói kiểm tra không đạt: {failed[0]}")
    if not mine:
        raise Refused("gói kiểm tra không chứa sự kiện công nhận của chứng chỉ này")
    return (
        f"Sự kiện công nhận (vị trí {mine[-1]['position']} của nhật ký) có trong điểm kiểm đã"
        f" ký ({tree_size} sự kiện): bằng chứng bao hàm khớp."
    )


def name_matches(credential: dict[str, Any], typed: str) -> bool:
    folded = " ".join(unicodedata.normalize("NFC", typed[:200]).casefold().split())
    subject = credential.get("credentialSubject")
    identities = subject.get("identifier") if isinstance(subject, dict) else None
    for item in identities if isinstance(identities, list) else []:
        if isinstance(item, dict) and item.get("identityType") == "name":
            salt = item.get("salt")
            if isinstance(salt, str) and identity_hash(folded, salt) == item.get("identityHash"):
                return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kiểm tra chứng chỉ số Hoctap ngoại tuyến")
    parser.add_argument("credential", help="tệp chứng chỉ (JSON) hoặc nội dung mã QR")
    parser.add_argument("--key", help="tệp khóa của sổ cái")
    parser.add_argument("--status", help="tệp danh sách trạng thái (/chung-chi/trang-thai/N)")
    parser.add_argument("--ho-ten", dest="ho_ten", help="họ tên để đối chiếu")
    parser.add_argument("--qr", help="nội dung mã QR trên giấy để đối chiếu")
    parser.add_argument("--today", help="ngày kiểm tra, YYYY-MM-DD (mặc định hôm nay)")
    parser.add_argument("--bundle", help="gói kiểm tra của danh hiệu (hoctap bundle)")
    args = parser.parse_args(argv)
    try:
        if args.today is not None:
            try:
                date.fromisoformat(args.today)
            except ValueError as error:
                raise Refused("--today phải là ngày dạng YYYY-MM-DD") from error
        code, lines = check(args)
    except Refused as refused:
        print(f"Không hợp lệ: {refused}")
        return 1
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
