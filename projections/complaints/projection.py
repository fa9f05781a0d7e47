"""The fold of a complaint's events into one row with its next step and deadline (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from domain.complaints import Complaint as C
from projections.engine import Envelope, Projection, Row, RowPerAggregate, Rows, Table

COMPLAINTS = Table(
    name="complaints",
    key="complaint_id",
    columns=(
        "complaint_id",
        "level",
        "status",
        "case_ids",
        "unit_id",
        "complainant_id",
        "decision_id",
        "received_on",
        "filing_deadline",
        "acceptance_deadline",
        "resolution_deadline",
        "next_step",
        "next_deadline",
        "handler_id",
        "outcome",
        "closed_on",
        "resolved_late",
        "escalated_to",
        "lawsuit_on",
        "position",
    ),
    dates=frozenset(
        {
            "received_on",
            "filing_deadline",
            "acceptance_deadline",
            "resolution_deadline",
            "next_deadline",
            "closed_on",
            "lawsuit_on",
        }
    ),
    jsons=frozenset({"case_ids"}),
    bools=frozenset({"resolved_late"}),
)

TOPICS = frozenset(
    cls.TOPIC
    for cls in (
        C.Received,
        C.Accepted,
        C.NotAccepted,
        C.HandlerAssigned,
        C.Resolved,
        C.Escalated,
        C.LawsuitReported,
    )
)


def evolve(row: Row | None, envelope: Envelope) -> Row | None:
    event, topic = envelope.event, envelope.topic
    if topic == C.Received.TOPIC:
        row = {
            "complaint_id": str(event.originator_id),
            "level": event.level,
            "status": "received",
            "case_ids": [str(c) for c in event.case_ids],
            "unit_id": str(event.unit_ids[0]) if event.unit_ids else None,
            "complainant_id": str(event.complainant_id),
            "decision_id": str(event.decision_id) if event.decision_id else None,
            "received_on": event.received_on,
            "filing_deadline": event.filing_deadline,
            "acceptance_deadline": event.acceptance_deadline,
            "resolution_deadline": None,
            "next_step": "acceptance",
            "next_deadline": event.acceptance_deadline,
            "handler_id": None,
            "outcome": None,
            "closed_on": None,
            "resolved_late": None,
            "escalated_to": None,
            "lawsuit_on": None,
        }
    if row is None:
        return None
    row = dict(row)
    if topic == C.Accepted.TOPIC:
        row |= {
            "status": "accepted",
            "resolution_deadline": event.resolution_deadline,
            "next_step": "resolution",
            "next_deadline": event.resolution_deadline,
        }
    elif topic == C.NotAccepted.TOPIC:
        row |= {
            "status": "not_accepted",
            "closed_on": event.decided_on,
            "next_step": None,
            "next_deadline": None,
        }
    elif topic == C.HandlerAssigned.TOPIC:
        row["handler_id"] = event.handler_id
    elif topic == C.Resolved.TOPIC:
        row |= {
            "status": "resolved",
            "outcome": event.outcome,
            "closed_on": event.resolved_on,
            "resolved_late": event.late,
            "next_step": None,
            "next_deadline": None,
        }
    elif topic == C.Escalated.TOPIC:
        row["escalated_to"] = str(event.second_complaint_id)
    elif topic == C.LawsuitReported.TOPIC:
        row["lawsuit_on"] = event.reported_on
    row["position"] = envelope.position
    return row


class Complaints(Projection):
    name = "complaints"
    version = 2  # 2: the unit of the complaint's cases, for scoped lists
    tables = (COMPLAINTS,)
    topics = TOPICS
    folder = Path(__file__).parent

    fold = RowPerAggregate("complaints", evolve)

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return self.fold.keys(envelope)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        self.fold.apply(envelope, rows)
