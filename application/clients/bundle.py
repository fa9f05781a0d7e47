"""The inspector bundle: one self-contained file per award, checkable offline.

It holds the events behind the award (the case, its decisions, its criteria set and any
complaint about it), their inclusion proofs against the latest signed checkpoint that covers
them (a bundle signs nothing unless no checkpoint covers the award yet), that checkpoint as
a cosigned C2SP note, consistency proofs from every earlier checkpoint, the public key,
the evidence digests (and, on request, the evidence files themselves). The standalone
verifier ``ops/verifier/verify_bundle.py`` checks it with no database and no network.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.adapters.audit import LogNotVerified, row_leaf_hash
from application.adapters.blobs import FileErased
from application.ledger import Ledger
from domain.assessment import AssessmentCase
from domain.integrity import ChainedEvent
from domain.scoring import EvidenceItem

FORMAT = "hoctap-bundle/v1"


def related_ids(ledger: Ledger, case: AssessmentCase) -> set[str]:
    """The records an award rests on: the case, its criteria set, decisions and complaints."""
    ids = {str(case.id), str(case.criteria_set_id)}
    for stored in ledger.store.recorder.select_events(case.id):
        event: Any = ledger.store.mapper.to_domain_event(stored)
        for name in ("decision_id", "complaint_id"):
            value = getattr(event, name, None)
            if value is not None:
                ids.add(str(value))
    return ids


def make_bundle(ledger: Ledger, case_id: UUID, *, include_files: bool = False) -> dict[str, Any]:
    case = ledger.records.get(AssessmentCase, case_id)
    # The award's events, read by aggregate (no walk of the log); a chained event's leaf
    # index is its chain position less one (positions are gap-free from 1).
    rows = _bundled_rows(ledger, sorted(UUID(i) for i in related_ids(ledger, case)))
    leaves = {row.position - 1: row.leaf_hash for row in rows}
    # Then the latest signed checkpoint covering them, and every audit path against it.
    checkpoint, paths, proofs = ledger.auditor.checkpoint_with_paths(ledger.clock.now(), leaves)
    events = [
        {
            "position": row.position,
            "notification_id": row.notification_id,
            "originator_id": row.originator_id,
            "version": row.version,
            "topic": row.topic,
            "state": base64.b64encode(row.state).decode(),
            "leaf_hash": row.leaf_hash.hex(),
            "audit_path": [p.hex() for p in paths[row.position - 1]],
        }
        for row in rows
    ]
    evidence = []
    for item in case.evidence.values():
        entry: dict[str, Any] = {
            "evidence_id": str(item.evidence_id),
            "digest": item.digest,
            "size": item.size,
            "media_type": item.media_type,
            "superseded": item.superseded,
        }
        if include_files:
            entry |= _files(ledger, case.subject_id, item)
        evidence.append(entry)
    return {
        "format": FORMAT,
        "case_id": str(case.id),
        "public_key": base64.b64encode(ledger.auditor.public_key).decode(),
        "checkpoint": checkpoint.as_dict(),
        # The same checkpoint as a C2SP note with every witness's cosignature, and proofs
        # that it extends each smaller checkpoint signed before (a kept copy is checked).
        "checkpoint_note": str(ledger.cosignatures.note(checkpoint)) if checkpoint.note else None,
        "vkey": str(ledger.auditor.vkey),
        "consistency": [
            {"from_size": old, "proof": [h.hex() for h in proof]}
            for old, proof in sorted(proofs.items())
        ],
        "events": events,
        "evidence": evidence,
    }


@dataclass(frozen=True)
class _Bundled:
    """A chained event of the award, every field present."""

    position: int
    notification_id: int | None
    originator_id: str
    version: int
    topic: str
    state: bytes
    leaf_hash: bytes


def _bundled_rows(ledger: Ledger, ids: list[UUID]) -> list[_Bundled]:
    """Every event of these aggregates in log order, each with its chain row; refused when
    one has no chain row or an aggregate's versions skip one (an event deleted from the
    middle): the offline verifier can only check the events a bundle holds."""
    rows: list[ChainedEvent] = ledger.store.recorder.select_chained_of(ids)  # type: ignore[attr-defined]
    bundled, last_version = [], dict.fromkeys(map(str, ids), 0)
    for row in rows:
        originator = str(row.originator_id)
        if row.position is None or row.state is None or row.topic is None or row.version is None:
            raise LogNotVerified(
                "không lập được gói kiểm tra: một sự kiện của hồ sơ không có trong chuỗi băm;"
                " `hoctap verify` chỉ ra chỗ sai",
                kind="unchained-event",
                notification_id=row.notification_id,
            )
        if row.version != last_version.get(originator, 0) + 1:
            raise LogNotVerified(
                f"không lập được gói kiểm tra: thiếu sự kiện trước vị trí {row.position};"
                " `hoctap verify` chỉ ra chỗ sai",
                kind="missing-event",
                position=row.position,
                originator_id=originator,
                version=row.version,
            )
        last_version[originator] = row.version
        bundled.append(
            _Bundled(
                row.position,
                row.notification_id,
                originator,
                row.version,
                row.topic,
                row.state,
                row_leaf_hash(row, row.position, row.state),
            )
        )
    for originator, version in last_version.items():
        if version == 0:
            raise LogNotVerified(
                "không lập được gói kiểm tra: không còn sự kiện nào của một hồ sơ mà quyết định"
                " công nhận dựa vào; `hoctap verify` chỉ ra chỗ sai",
                kind="missing-event",
                originator_id=originator,
            )
    return bundled


def _files(ledger: Ledger, subject_id: UUID, item: EvidenceItem) -> dict[str, Any]:
    """``content``: the file as stored, which the offline verifier checks against the digest
    in the log; ``file``: what it says, once decrypted (the server checked it against the
    plaintext digest sealed in the log), absent when the subject was erased."""
    stored = {"content": base64.b64encode(ledger.blobs.get(item.digest)).decode()}
    if item.sealed is None:  # stored in clear
        return stored
    try:
        plain = ledger.files.read(subject_id, item.digest, item.sealed)
    except FileErased:
        return stored | {"erased": True}
    return stored | {"file": base64.b64encode(plain).decode()}


def dumps(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=2, sort_keys=True)
