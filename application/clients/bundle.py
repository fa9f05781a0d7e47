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
from typing import Any
from uuid import UUID

from application.adapters.audit import chained_events
from application.adapters.blobs import FileErased
from application.ledger import Ledger
from domain.assessment import AssessmentCase
from domain.integrity import ChainedEvent, leaf_bytes, leaf_hash
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
    wanted = related_ids(ledger, case)
    # First pass: the award's events and their leaf indexes; nothing else is kept.
    picked: list[tuple[int, ChainedEvent]] = []
    size = 0
    for row in chained_events(ledger.store):
        if row.state is None or row.position is None:
            continue
        if str(row.originator_id) in wanted:
            picked.append((size, row))
        size += 1
    # Then the latest signed checkpoint covering them, and every audit path against it.
    checkpoint, paths, proofs = ledger.auditor.checkpoint_with_paths(
        ledger.clock.now(), [index for index, _ in picked]
    )
    events = [
        {
            "position": row.position,
            "notification_id": row.notification_id,
            "originator_id": str(row.originator_id),
            "version": row.version,
            "topic": row.topic,
            "state": base64.b64encode(row.state or b"").decode(),
            "leaf_hash": leaf_hash(
                leaf_bytes(
                    row.position or 0,
                    row.originator_id or "",
                    row.version or 0,
                    row.topic or "",
                    row.state or b"",
                )
            ).hex(),
            "audit_path": [p.hex() for p in paths[index]],
        }
        for index, row in picked
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
