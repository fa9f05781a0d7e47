"""What an inspector's audit page of one case shows: the explanation, each event it cites
with its inclusion proof checked against the latest signed checkpoint, the case's activity
and read trails, and that checkpoint.

No walk of the log: the events the award rests on are read by aggregate (the case's own
events name its criteria set and each decision that ruled on it; the complaints view names
the complaints about it), each leaf is hashed from its event as stored now, and the audit
paths come from the Merkle tiles, so the page costs the same in a log of any length. Nothing
is signed here: events newer than the latest checkpoint are shown as not yet covered, never
proven by a checkpoint made for the occasion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.adapters.audit import chained_at, row_leaf_hash
from application.clients.explanation import (
    Explanation,
    Logged,
    explain,
    related_events,
    related_rows,
)
from application.clients.public_audit import CheckpointView, latest_checkpoint
from application.ledger import Ledger
from domain.assessment import AssessmentCase
from domain.integrity import ChainedEvent, verify_inclusion
from projections.activity.queries import actions
from projections.complaints.queries import naming
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
    #: Whether the trails hold more than shown (the first actions, the latest reads).
    more_activity: bool = False
    more_reads: bool = False

    def event_at(self, notification_id: int) -> ProvenEvent | None:
        return next((e for e in self.events if e.notification_id == notification_id), None)

    @property
    def all_proven(self) -> bool:
        return bool(self.events) and all(e.proven for e in self.events)

    @property
    def any_failed(self) -> bool:
        """Some event's proof does not lead to the signed root (changed, or the log cut)."""
        return any(e.proven is False for e in self.events)

    @property
    def pending(self) -> int:
        """Events recorded after the latest checkpoint: not yet covered by a signature."""
        return sum(1 for e in self.events if e.proven is None)


def prove(
    ledger: Ledger,
    logged: list[Logged],
    rows: Iterable[ChainedEvent],
    checkpoint: CheckpointView | None,
) -> list[ProvenEvent]:
    """Each cited event's inclusion proof against the checkpoint's signed root, checked.

    The audit paths come from the tiles (one read for all of them); each leaf is hashed from
    the event as stored now, so a changed event fails against the root signed before it,
    and a log cut short of the signed size fails every proof (an event deleted mid-log
    fails its own proof only; ``hoctap verify`` reports it)."""
    stored = {row.notification_id: row for row in rows}
    size = checkpoint.tree_size if checkpoint else 0
    covered = [x.citation.position for x in logged if x.citation.position]
    paths = ledger.auditor.inclusion_paths(covered, size) if checkpoint else {}
    if checkpoint is not None and paths is not None:
        last = chained_at(ledger.store, size)
        if last is None or last.state is None:
            paths = None  # the signed log's last event is gone: the log was cut short
    root = bytes.fromhex(checkpoint.root_hash) if checkpoint else b""
    proven = []
    for x in logged:
        at = x.citation
        row = stored.get(at.notification_id)
        leaf = None
        if row is not None and row.state is not None and at.position:
            leaf = row_leaf_hash(row, at.position, row.state)
        holds: bool | None = None  # not covered by the checkpoint (or no chain row)
        if checkpoint is not None and at.position and at.position <= size:
            if paths is None:
                holds = False  # the log is shorter than what was signed
            elif leaf is not None:
                holds = verify_inclusion(at.position - 1, size, leaf, paths[at.position], root)
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
    checkpoint = latest_checkpoint(ledger)
    complaints = [UUID(c) for c in naming(engine, str(case_id))]
    rows = related_rows(ledger, case_id, complaints)
    logged = related_events(ledger, case_id, rows)
    explanation = explain(ledger, case_id, "vi", logged)
    case = ledger.records.get(AssessmentCase, case_id)
    records = {str(x.citation.originator_id) for x in logged}
    watched = [str(case.subject_id), *(str(e) for e in case.evidence)]
    trail = [  # the latest reads: an inspector asks who looked last
        row
        for record in watched
        for row in views(engine, record_id=record, limit=trail_limit + 1, newest=True)
    ]
    done = actions(engine, record_ids=records, limit=trail_limit + 1)
    return CaseAudit(
        case_id=case_id,
        subject_id=case.subject_id,
        explanation=explanation,
        events=tuple(prove(ledger, logged, rows, checkpoint)),
        checkpoint=checkpoint,
        activity=done[:trail_limit],
        reads=sorted(trail, key=lambda row: row["position"])[-trail_limit:],
        more_activity=len(done) > trail_limit,
        more_reads=len(trail) > trail_limit,
    )
