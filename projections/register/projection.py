"""The fold of cases and decisions into the register of titles (pure).

Two tables: ``titles`` holds each case's current entry (the latest decision about it, with a
link to the decision it amends); ``title_changes`` keeps every grant, refusal and revocation
with the time it took effect and the time it was recorded, so the register can answer "who
held the title on day D" both as known today and as it was known on an earlier day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.assessment import AssessmentCase as Case
from domain.certificates import certificate_serial
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
        "amends_decision_id",
        "valid_from",
        "valid_until",
        "revoked_from",
        "classification",
        "level",
        "total",
        "reason",
        "decision_recorded_at",
        "position",
    ),
    dates=frozenset({"decided_on", "valid_from", "valid_until", "revoked_from"}),
    decimals=frozenset({"total"}),
    timestamps=frozenset({"decision_recorded_at"}),
)

CHANGES = Table(
    name="title_changes",
    key="change_id",
    columns=(
        "change_id",
        "case_id",
        "subject_id",
        "unit_id",
        "model",
        "change",
        "decision_id",
        "decision_number",
        "valid_from",
        "valid_until",
        "effective_from",
        "recorded_at",
        "position",
        "serial",
    ),
    dates=frozenset({"valid_from", "valid_until", "effective_from"}),
    timestamps=frozenset({"recorded_at"}),
)

TOPICS = frozenset(
    {
        Case.Opened.TOPIC,
        Case.TitleGranted.TOPIC,
        Case.RecognitionRefused.TOPIC,
        Case.TitleRevoked.TOPIC,
        Decision.Issued.TOPIC,
    }
)
_CHANGE = {
    Case.TitleGranted.TOPIC: "granted",
    Case.RecognitionRefused.TOPIC: "refused",
    Case.TitleRevoked.TOPIC: "revoked",
}


def evolve(row: Row | None, envelope: Envelope, entry: dict[str, Any] | None = None) -> Row | None:
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
        amends = getattr(event, "amends", None)
        row |= {
            "decision_id": str(event.originator_id),
            "decision_number": event.number,
            "decided_on": event.decided_on,
            "signer_id": event.signer_id,
            "signer_title": event.signer_title,
            "authority_name": event.authority_name,
            "legal_basis": event.legal_basis,
            "outcome": entry["outcome"],
            "amends_decision_id": str(amends) if amends else None,
            "total": Decimal(entry["total"]),
            "classification": entry.get("classification"),
            "level": entry.get("level"),
            "reason": entry.get("reason"),
            "decision_recorded_at": envelope.recorded_at,
        }
        if entry.get("valid_from"):
            row["valid_from"] = date.fromisoformat(entry["valid_from"])
            row["valid_until"] = date.fromisoformat(entry["valid_until"])
            row["revoked_from"] = None
    elif topic == Case.TitleGranted.TOPIC:
        row |= {
            "outcome": "granted",
            "valid_from": event.valid_from,
            "valid_until": event.valid_until,
            "revoked_from": None,
        }
    elif topic == Case.RecognitionRefused.TOPIC:
        if row.get("outcome") != "granted":  # a refusal on appeal does not end a grant
            row["outcome"] = "refused"
    elif topic == Case.TitleRevoked.TOPIC:
        row |= {"outcome": "revoked", "revoked_from": event.revoked_from}
    row["position"] = envelope.position
    return row


def change(row: Row, envelope: Envelope) -> Row:
    """The history line a grant, refusal or revocation adds (never changed afterwards)."""
    event = envelope.event
    granted = envelope.topic == Case.TitleGranted.TOPIC
    return {
        "change_id": f"{envelope.position}:{row['case_id']}",
        "case_id": row["case_id"],
        "subject_id": row["subject_id"],
        "unit_id": row["unit_id"],
        "model": row["model"],
        "change": _CHANGE[envelope.topic],
        "decision_id": str(event.decision_id),
        "decision_number": event.decision_number,
        "valid_from": event.valid_from if granted else None,
        "valid_until": event.valid_until if granted else None,
        "effective_from": getattr(event, "revoked_from", None) or event.decided_on,
        "recorded_at": envelope.recorded_at,
        "position": envelope.position,
        "serial": certificate_serial(event.originator_id, event.decision_id) if granted else None,
    }


class Register(Projection):
    name = "register"
    version = 4  # 2: amending decisions, revocations and the history of changes; 3: the
    # level a title was recognised at and each grant's certificate serial; 4: indexed by year
    # in decision order (the register's export)
    tables = (TITLES, CHANGES)
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
        if row is None:
            return
        rows.put("titles", row)
        if envelope.topic in _CHANGE:
            rows.put("title_changes", change(row, envelope))
