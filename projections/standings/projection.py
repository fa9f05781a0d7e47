"""The fold of an assessment case's events into its standings row (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.assessment import AssessmentCase as Case
from projections.engine import Envelope, Projection, Row, RowPerAggregate, Rows, Table

CASES = Table(
    name="cases",
    key="case_id",
    columns=(
        "case_id",
        "subject_id",
        "subject_kind",
        "unit_id",
        "model",
        "cycle_year",
        "attempt",
        "criteria_set_id",
        "criteria_set_code",
        "criteria_set_version",
        "target_group",
        "status",
        "scores",
        "total",
        "classification",
        "recommended",
        "evidence_count",
        "decision_id",
        "decision_number",
        "decided_on",
        "valid_from",
        "valid_until",
        "expired_on",
        "opened_on",
        "updated_at",
        "position",
    ),
    dates=frozenset({"decided_on", "valid_from", "valid_until", "expired_on", "opened_on"}),
    decimals=frozenset({"total"}),
    jsons=frozenset({"scores"}),
    bools=frozenset({"recommended"}),
    timestamps=frozenset({"updated_at"}),
)

TOPICS = frozenset(
    cls.TOPIC
    for cls in (
        Case.Opened,
        Case.EvidenceAttached,
        Case.EvidenceSuperseded,
        Case.SelfAssessed,
        Case.Reviewed,
        Case.ScoreRevised,
        Case.NoticePosted,
        Case.NoticeClosed,
        Case.CouncilFormed,
        Case.Appraised,
        Case.TitleGranted,
        Case.RecognitionRefused,
        Case.Withdrawn,
        Case.ReopenedOnAppeal,
        Case.TitleRevoked,
        Case.TitleExpired,
    )
)

_STATUS = {
    Case.SelfAssessed.TOPIC: "self_assessed",
    Case.Reviewed.TOPIC: "reviewed",
    Case.NoticePosted.TOPIC: "notice_posted",
    Case.NoticeClosed.TOPIC: "notice_closed",
    Case.CouncilFormed.TOPIC: "council_formed",
    Case.Appraised.TOPIC: "appraised",
    Case.TitleGranted.TOPIC: "granted",
    Case.RecognitionRefused.TOPIC: "refused",
    Case.Withdrawn.TOPIC: "withdrawn",
    Case.ReopenedOnAppeal.TOPIC: "reopened",
    Case.TitleRevoked.TOPIC: "revoked",
}


def _total(scores: dict[str, dict[str, str | None]]) -> Decimal:
    """The final score of each indicator where reviewed, else its self-assessed score."""
    total = Decimal(0)
    for score in scores.values():
        value = score.get("final") if score.get("final") is not None else score.get("self")
        total += Decimal(value) if value is not None else Decimal(0)
    return total


def _set_scores(row: Row, stage: str, scores: dict[str, Any]) -> None:
    table = {code: dict(v) for code, v in (row.get("scores") or {}).items()}
    for code, value in scores.items():
        entry = table.setdefault(code, {"self": None, "review": None, "final": None})
        entry[stage] = str(value)
        if stage == "review":
            entry["final"] = str(value)
    row["scores"] = table
    row["total"] = _total(table)


def evolve(row: Row | None, envelope: Envelope) -> Row | None:
    """The standings row after one event of its case."""
    event, topic = envelope.event, envelope.topic
    if topic == Case.Opened.TOPIC:
        row = {
            "case_id": str(event.originator_id),
            "subject_id": str(event.subject_id),
            "subject_kind": event.subject_kind,
            "unit_id": str(event.unit_id),
            "model": event.model,
            "cycle_year": event.cycle_year,
            "attempt": event.attempt,
            "criteria_set_id": str(event.criteria_set_id),
            "criteria_set_code": event.criteria_set_code,
            "criteria_set_version": event.criteria_set_version,
            "target_group": event.target_group,
            "status": "opened",
            "scores": {},
            "total": Decimal(0),
            "classification": None,
            "recommended": None,
            "evidence_count": 0,
            "decision_id": None,
            "decision_number": None,
            "decided_on": None,
            "valid_from": None,
            "valid_until": None,
            "expired_on": None,
            "opened_on": event.opened_on,
        }
    if row is None:
        return None
    row = dict(row)
    if topic == Case.EvidenceAttached.TOPIC:
        row["evidence_count"] += 1
    elif topic == Case.EvidenceSuperseded.TOPIC:
        row["evidence_count"] -= 1
    elif topic == Case.SelfAssessed.TOPIC:
        _set_scores(row, "self", event.scores)
    elif topic == Case.Reviewed.TOPIC:
        _set_scores(row, "review", event.scores)
    elif topic == Case.ScoreRevised.TOPIC:
        table = {code: dict(v) for code, v in row["scores"].items()}
        table.setdefault(event.indicator, {"self": None, "review": None, "final": None})
        table[event.indicator]["final"] = str(event.score)
        row["scores"], row["total"] = table, _total(table)
    elif topic == Case.Appraised.TOPIC:
        row["recommended"], row["classification"] = event.recommended, event.classification
    elif topic in (Case.TitleGranted.TOPIC, Case.RecognitionRefused.TOPIC, Case.TitleRevoked.TOPIC):
        row["decision_id"], row["decision_number"] = str(event.decision_id), event.decision_number
        row["decided_on"] = event.decided_on
        if topic == Case.TitleGranted.TOPIC:
            row["valid_from"], row["valid_until"] = event.valid_from, event.valid_until
            row["classification"] = event.classification
            row["expired_on"] = None
    elif topic == Case.TitleExpired.TOPIC:
        row["expired_on"] = event.expired_on
    if topic in _STATUS:
        row["status"] = _STATUS[topic]
    row["updated_at"] = envelope.recorded_at
    row["position"] = envelope.position
    return row


class Standings(Projection):
    name = "standings"
    version = 4  # 2: criteria_set_version; 3: appeals and revocations; 4: expiries
    tables = (CASES,)
    topics = TOPICS
    folder = Path(__file__).parent

    fold = RowPerAggregate("cases", evolve)

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return self.fold.keys(envelope)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        self.fold.apply(envelope, rows)
