"""What an inspector's audit page of one case shows: the explanation, each event it cites
with its inclusion proof checked against the latest signed checkpoint, the case's activity
and read trails, and that checkpoint.

Two passes over the log at most: one to find the events the award rests on (decisions and
complaints name the case from their own records), one to hash the spans their audit paths
need. Nothing is signed here: events newer than the latest checkpoint are shown as not yet
covered, never proven by a checkpoint made for the occasion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.clients.explanation import Explanation, Logged, explain, related_events
from application.clients.public_audit import CheckpointView, latest_checkpoint
from application.ledger import Ledger
from domain.assessment import AssessmentCase
from domain.integrity import verify_inclusion
from projections.activity.queries import actions
from projections.reads.queries import views


@dataclass(frozen=True)
class ProvenEvent:
    """One cited event: ``proven`` is True or False once checked against the checkpoint,
    None when the checkpoint does not cover it yet (or its chain row is missing)."""

    position: int | None
    notification_id: int
    topic: str
    originator_id: UUID
    version: int
    leaf_hash: str | None
    proven: bool | None


@dataclass(frozen=True)
class CaseAudit:
    case_id: UUID
    subject_id: UUID
    explanation: Explanation
    events: tuple[ProvenEvent, ...]
    checkpoint: CheckpointView | None
    activity: list[dict[str, Any]]
    reads: list[dict[str, Any]]

    def event_at(self, notification_id: int) -> ProvenEvent | None:
        return next((e for e in self.events if e.notification_id == notification_id), None)

    @property
    def all_proven(self) -> bool:
        return bool(self.events) and all(e.proven for e in self.events)


def prove(
    ledger: Ledger, logged: list[Logged], checkpoint: CheckpointView | None
) -> list[ProvenEvent]:
    """Each event's inclusion proof against the checkpoint's signed root, checked."""
    size = checkpoint.tree_size if checkpoint else 0
    indexes = [x.citation.position - 1 for x in logged if x.citation.position]
    found = ledger.auditor.inclusions(indexes, size) if checkpoint else {}
    root = bytes.fromhex(checkpoint.root_hash) if checkpoint else b""
    proven = []
    for x in logged:
        at = x.citation
        index = (at.position or 0) - 1
        leaf, path = found.get(index, (None, None))
        holds = (
            verify_inclusion(index, size, leaf, path, root)
            if leaf is not None and path is not None
            else None
        )
        proven.append(
            ProvenEvent(
                at.position,
                at.notification_id,
                at.topic,
                at.originator_id,
                at.version,
                leaf.hex() if leaf is not None else None,
                holds,
            )
        )
    return proven


def audit_case(ledger: Ledger, engine: Any, case_id: UUID, trail_limit: int = 200) -> CaseAudit:
    """The audit of one decided case (NotFound, StepOutOfOrder as :func:`explain`)."""
    logged = related_events(ledger, case_id)
    explanation = explain(ledger, case_id, "vi", logged)
    case = ledger.records.get(AssessmentCase, case_id)
    checkpoint = latest_checkpoint(ledger)
    records = {str(x.citation.originator_id) for x in logged}
    watched = [str(case.subject_id), *(str(e) for e in case.evidence)]
    trail = [
        row for record in watched for row in views(engine, record_id=record, limit=trail_limit)
    ]
    return CaseAudit(
        case_id=case_id,
        subject_id=case.subject_id,
        explanation=explanation,
        events=tuple(prove(ledger, logged, checkpoint)),
        checkpoint=checkpoint,
        activity=actions(engine, record_ids=records, limit=trail_limit),
        reads=sorted(trail, key=lambda row: row["position"]),
    )
