"""What an inspector's audit page of one case shows: the explanation, each event it cites
with its inclusion proof checked against the latest signed checkpoint, the case's activity
and read trails, and that checkpoint.

One pass over the log: it finds the events the award rests on (decisions and complaints
name the case from their own records, so the whole log is read) and keeps the leaf hashes of
the checkpoint's events (32 bytes each), from which the audit paths are then computed. Nothing is signed here: events newer than the latest checkpoint are shown as not yet
covered, never proven by a checkpoint made for the occasion.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.adapters.audit import chained_events, row_leaf_hash
from application.clients.explanation import Explanation, Logged, explain, related_events
from application.clients.public_audit import CheckpointView, latest_checkpoint
from application.ledger import Ledger
from domain.assessment import AssessmentCase
from domain.integrity import (
    HASH_SIZE,
    ChainedEvent,
    SpanHashes,
    inclusion_spans,
    verify_inclusion,
)
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
    logged: list[Logged], checkpoint: CheckpointView | None, leaves: bytes
) -> list[ProvenEvent]:
    """Each event's inclusion proof against the checkpoint's signed root, checked; ``leaves``
    holds the leaf hashes of the log's first events, 32 bytes each, in order."""
    size = min(checkpoint.tree_size, len(leaves) // HASH_SIZE) if checkpoint else 0
    wanted = sorted(
        {x.citation.position - 1 for x in logged if x.citation.position} & set(range(size))
    )
    paths = {i: inclusion_spans(i, size) for i in wanted}
    seen = SpanHashes([span for path in paths.values() for span in path])
    for start in range(0, size * HASH_SIZE, HASH_SIZE):
        seen.append(leaves[start : start + HASH_SIZE])
    root = bytes.fromhex(checkpoint.root_hash) if checkpoint else b""
    proven = []
    for x in logged:
        at = x.citation
        index = (at.position or 0) - 1
        leaf = leaves[index * HASH_SIZE : (index + 1) * HASH_SIZE] if index in paths else None
        holds: bool | None = None  # not covered by the checkpoint (or no chain row)
        if checkpoint is not None and size < checkpoint.tree_size and 0 <= index < size:
            holds = False  # the log is shorter than what was signed
        elif leaf is not None:
            holds = verify_inclusion(index, size, leaf, [seen[s] for s in paths[index]], root)
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


def _hashing(rows: Iterable[ChainedEvent], leaves: bytearray, limit: int) -> Iterator[ChainedEvent]:
    """The rows, passed on, while the first ``limit`` events' leaf hashes go into ``leaves``."""
    for row in rows:
        if row.state is not None and row.position is not None and len(leaves) < limit * HASH_SIZE:
            leaves += row_leaf_hash(row, row.position, row.state)
        yield row


def audit_case(ledger: Ledger, engine: Any, case_id: UUID, trail_limit: int = 200) -> CaseAudit:
    """The audit of one decided case (NotFound, StepOutOfOrder as :func:`explain`)."""
    checkpoint = latest_checkpoint(ledger)
    leaves = bytearray()  # one pass: the award's events, and every leaf hash the proofs need
    rows = _hashing(chained_events(ledger.store), leaves, checkpoint.tree_size if checkpoint else 0)
    logged = related_events(ledger, case_id, rows)
    explanation = explain(ledger, case_id, "vi", logged)
    case = ledger.records.get(AssessmentCase, case_id)
    records = {str(x.citation.originator_id) for x in logged}
    watched = [str(case.subject_id), *(str(e) for e in case.evidence)]
    trail = [  # the latest reads: an inspector asks who looked last
        row
        for record in watched
        for row in views(engine, record_id=record, limit=trail_limit, newest=True)
    ]
    return CaseAudit(
        case_id=case_id,
        subject_id=case.subject_id,
        explanation=explanation,
        events=tuple(prove(logged, checkpoint, bytes(leaves))),
        checkpoint=checkpoint,
        activity=actions(engine, record_ids=records, limit=trail_limit),
        reads=sorted(trail, key=lambda row: row["position"])[-trail_limit:],
    )
