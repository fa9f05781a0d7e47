"""The fold of cases and decisions into the register of titles (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from domain.assessment import AssessmentCase as Case
from domain.decision import RecognitionDecision as Decision
from projections.engine import Envelope, Projection, Row, Rows, Table

TITLES = Table(
    name="titles",
    key="case_id",
    columns=(
        "case_id",
        "subject_id",
        "subject_kind",
        "unit_id",
        "model",
        "cycle_year",
        "outcome",
        "decision_id",
        "decision_number",
        "decided_on",
        "signer_id",
        "signer_title",
        "authority_name",
        "legal_basis",
        "valid_from",
        "valid_until",
        "classification",
        "total",
        "reason",
        "decision_recorded_at",
        "position",
    ),
    dates=frozenset({"decided_on", "valid_from", "valid_until"}),
    decimals=frozenset({"total"}),
    timestamps=frozenset({"decision_recorded_at"}),
)

TOPICS = frozenset(
    {
        Case.Opened.TOPIC,
        Case.TitleGranted.TOPIC,
        Case.RecognitionRefused.TOPIC,
        Decision.Issued.TOPIC,
    }
)


def evolve(row: Row | None, envelope: Envelope, entry: dict | None = None) -> Row | None:
    """The register row of one case after an event (``entry``: its line in a decision)."""
    event, topic = envelope.event, envelope.topic
    if topic == Case.Opened.TOPIC:
        return {
            "case_id": str(event.originator_id),
            "subject_id": str(event.subject_id),
            "subject_kind": event.subject_kind,
            "unit_id": str(event.unit_id),
            "model": event.model,
            "cycle_year": event.cycle_year,
            "outcome": None,
            "position": envelope.position,
        }
    if row is None:
        return None
    row = dict(row)
    if topic == Decision.Issued.TOPIC and entry is not None:
        row |= {
            "decision_id": str(event.originator_id),
            "decision_number": event.number,
            "decided_on": event.decided_on,
            "signer_id": event.signer_id,
            "signer_title": event.signer_title,
            "authority_name": event.authority_name,
            "legal_basis": event.legal_basis,
            "outcome": entry["outcome"],
            "total": Decimal(entry["total"]),
            "classification": entry.get("classification"),
            "reason": entry.get("reason"),
            "decision_recorded_at": envelope.recorded_at,
        }
        if entry.get("valid_from"):
            row["valid_from"] = date.fromisoformat(entry["valid_from"])
            row["valid_until"] = date.fromisoformat(entry["valid_until"])
    elif topic == Case.TitleGranted.TOPIC:
        row |= {
            "outcome": "granted",
            "valid_from": event.valid_from,
            "valid_until": event.valid_until,
        }
    elif topic == Case.RecognitionRefused.TOPIC:
        row["outcome"] = "refused"
    row["position"] = envelope.position
    return row


class Register(Projection):
    name = "register"
    version = 1
    tables = (TITLES,)
    topics = TOPICS
    folder = Path(__file__).parent

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        if envelope.topic == Decision.Issued.TOPIC:
            for entry in envelope.event.entries:
                yield "titles", entry["case_id"]
        else:
            yield "titles", str(envelope.event.originator_id)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        if envelope.topic == Decision.Issued.TOPIC:
            for entry in envelope.event.entries:
                row = evolve(rows.get("titles", entry["case_id"]), envelope, entry)
                if row is not None:
                    rows.put("titles", row)
            return
        row = evolve(rows.get("titles", str(envelope.event.originator_id)), envelope)
        if row is not None:
            rows.put("titles", row)
