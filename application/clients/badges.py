"""A granted title as a signed W3C Verifiable Credential (Open Badges 3.0 shape), and the
Bitstring Status List that revokes it; both signed eddsa-jcs-2022 with the ledger's key.

The credential is made on request from the register, never stored: it holds no CCCD, no
birth date and no name, only the holder's name hashed with a salt (OB 3.0
``IdentityObject``, ``hashed: true``) so that whoever is told the name can check it. Its
status index is the log position of the grant event (unique, fixed by the log, the same on
every copy); list ``n`` covers positions ``[n·131072, (n+1)·131072)``. See
docs/certificates.md.
"""

from __future__ import annotations

import hmac
import unicodedata
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from application.ledger import Ledger
from application.services.access import Principal
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.certificates import certificate_serial, certificate_status, withdrawn
from domain.decision import RecognitionDecision
from domain.errors import NotFound
from domain.glossary import CaseStatus, label
from domain.registry import Collective, Person
from domain.verifiable import (
    CONTEXT_OB3,
    CONTEXT_VC2,
    STATUS_LIST_BITS,
    did_key,
    encode_status_list,
    identity_hash,
    secure,
    verification_method,
)
from projections.engine import Engine
from projections.register.queries import certificate

STATUS_PATH = "/chung-chi/trang-thai"
MEDIA_TYPE = "application/vc"


class Issuer:
    """The ledger's Ed25519 key as the credentials' issuer (``did:key``)."""

    def __init__(self, seed: bytes, origin: str) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._seed = seed
        self.origin = origin
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.did = did_key(self.public_key)
        self.method = verification_method(self.public_key)

    @classmethod
    def of(cls, ledger: Ledger) -> Issuer:
        return cls(ledger.settings.signing_seed(), ledger.auditor.origin)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def salt(self, serial: str) -> str:
        """The salt of a certificate's identity hash: fixed per serial, unguessable."""
        mac = hmac.new(self._seed, b"hoctap-credential-salt\x00" + serial.encode(), "sha256")
        return mac.hexdigest()[:32]

    def secure(self, document: dict[str, Any], now: datetime) -> dict[str, Any]:
        return secure(document, self.sign, self.method, _stamp(now))


def folded_name(name: str) -> str:
    """The form a name is hashed in: NFC, case folded, single spaces (as the public check
    compares names)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(day: date, end: bool = False) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}+07:00"


def status_entry(base: str, index: int) -> dict[str, str]:
    listed = f"{base}{STATUS_PATH}/{index // STATUS_LIST_BITS}"
    return {
        "id": f"{listed}#{index % STATUS_LIST_BITS}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index % STATUS_LIST_BITS),
        "statusListCredential": listed,
    }


def award_credential(
    ledger: Ledger,
    issuer: Issuer,
    grant: dict[str, Any],
    holder_name: str | None,
    base: str,
) -> dict[str, Any]:
    """The signed credential of the grant a certificate serial was printed for (a row of the
    register's ``title_changes``); ``base``: the public address the links start with."""
    serial: str = grant["serial"]
    case = ledger.records.get(AssessmentCase, UUID(grant["case_id"]))
    decision = ledger.records.get(RecognitionDecision, UUID(grant["decision_id"]))
    title = label(grant["model"])
    version = case.criteria_set_version
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": f"{base}/criteria-sets/{case.criteria_set_id}",
            "type": ["Achievement"],
            "name": title,
            "description": (
                f"Danh hiệu {title}, xét theo bộ tiêu chí {case.criteria_set_code}"
                + (f" phiên bản {version}" if version is not None else "")
            ),
            "criteria": {
                "id": f"{base}/criteria-sets/{case.criteria_set_id}",
                "narrative": f"Bộ tiêu chí {case.criteria_set_code}"
                + (f", phiên bản {version}" if version is not None else ""),
            },
            **({"version": str(version)} if version is not None else {}),
        },
    }
    if holder_name:
        salt = issuer.salt(serial)
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": True,
                "identityHash": identity_hash(folded_name(holder_name), salt),
                "salt": salt,
            }
        ]
    document: dict[str, Any] = {
        "@context": [CONTEXT_VC2, CONTEXT_OB3],
        "id": f"{base}/xac-minh/{serial}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Giấy chứng nhận {title} năm {case.cycle_year}, số {serial}",
        "description": (
            f"{decision.authority_name} công nhận danh hiệu {title} năm {case.cycle_year}"
            f" theo quyết định số {decision.number} ngày {decision.decided_on:%d/%m/%Y}"
        ),
        "issuer": {
            "id": issuer.did,
            "type": ["Profile"],
            "name": f"Sổ cái Hoctap ({issuer.origin})",
        },
        "validFrom": _day(grant["valid_from"]),
        "validUntil": _day(grant["valid_until"], end=True),
        "credentialSubject": subject,
        "evidence": [
            {
                "id": f"{base}/decisions/{decision.id}",
                "type": ["Evidence"],
                "name": f"Quyết định số {decision.number}",
                "description": f"Quyết định công nhận ngày {decision.decided_on:%d/%m/%Y}",
            },
            {
                "id": f"{base}/cases/{case.id}/explanation.html",
                "type": ["Evidence"],
                "name": "Giải trình kết quả đánh giá",
                "description": "Từng bước xét danh hiệu, mỗi bước dẫn sự kiện trong sổ cái",
            },
        ],
        "credentialStatus": status_entry(base, int(grant["position"])),
    }
    return issuer.secure(document, ledger.records.clock.now())


def status_list_credential(
    ledger: Ledger,
    issuer: Issuer,
    number: int,
    grants: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    base: str,
) -> dict[str, Any]:
    """Status list ``number``: the revocation bit of every grant whose index it covers, set
    when the title is revoked (from the day that takes effect) or granted again."""
    today = ledger.records.today()
    first = number * STATUS_LIST_BITS
    revoked = [
        int(grant["position"]) - first
        for grant, later in grants
        if withdrawn(status_of(grant, later, today))
    ]
    listed = f"{base}{STATUS_PATH}/{number}"
    document = {
        "@context": [CONTEXT_VC2],
        "id": listed,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": _stamp(ledger.records.clock.now()),
        "credentialSubject": {
            "id": f"{listed}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked),
        },
    }
    return issuer.secure(document, ledger.records.clock.now())


def status_of(grant: dict[str, Any], later: list[dict[str, Any]], today: date) -> str:
    return certificate_status(
        grant["valid_until"], [(c["change"], c["effective_from"]) for c in later], today
    )[0]


def holder_details(ledger: Ledger, subject_id: UUID) -> tuple[str | None, str | None, bool]:
    """(name, birth date, personal): what the register holds of the holder, unsealed."""
    item = ledger.records.load_all([subject_id]).get(subject_id)
    if isinstance(item, Person):
        if item.erased:
            return None, None, True
        details = ledger.vault.unseal(item.id, item.sealed) or {}
        name, born = details.get("full_name"), details.get("birth_date")
        return (
            name if isinstance(name, str) else None,
            born if isinstance(born, str) else None,
            True,
        )
    if isinstance(item, Collective):
        if item.sealed:
            details = ledger.vault.unseal(item.id, item.sealed) or {}
            name = details.get("name")
            return (name if isinstance(name, str) else None), None, True
        return item.name, None, False
    return None, None, True


def credential_of_case(
    ledger: Ledger,
    engine: Engine,
    reading: CommandContext,
    principal: Principal,
    case_id: UUID,
    base: str,
) -> tuple[str, dict[str, Any]]:
    """(serial, signed credential) of a granted case, for a reader who may read the case.

    The holder's name goes in only hashed, and only for a reader who sees it in full (else a
    salted hash beside the initials would let them guess it): the holder, household
    members, roles that read personal data."""
    case = ledger.scopes.case_for(reading, case_id, reading=True)
    if case.status is not CaseStatus.GRANTED or case.decision_id is None:
        raise NotFound("hồ sơ chưa được công nhận danh hiệu: chưa có chứng chỉ")
    serial = certificate_serial(case.id, case.decision_id)
    found = certificate(engine, serial)
    if found is None:
        raise NotFound("sổ đăng ký danh hiệu chưa cập nhật quyết định này: thử lại sau ít phút")
    shown = ledger.names.names(
        reading, [case.subject_id], roles=principal.roles, person_id=principal.person_id
    ).get(case.subject_id)
    name, _, _ = holder_details(ledger, case.subject_id)
    hashed = name if name is not None and shown == name else None
    return serial, award_credential(ledger, Issuer.of(ledger), found[0], hashed, base)
