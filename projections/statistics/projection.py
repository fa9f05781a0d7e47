"""The fold of case and subject events into counters per unit, title and cycle year (pure).

A case contributes to its unit's counters through three flags: registered (opened and not
withdrawn), assessed (appraised by a council) and recognised (granted). Each event moves the
flags of one case; the counters move by the difference, so a count can never drift from the
cases behind it. Every counter and subjects row carries the log position of the last event
that changed it: a report keeps its sums and redoes only the lines of units whose rows
moved since (:mod:`projections.statistics.queries`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from domain.assessment import AssessmentCase as Case
from domain.registry import Collective, Person
from projections.engine import Envelope, Projection, Row, Rows, Table

FLAG_NAMES = ("registered", "assessed", "recognised")

FLAGS = Table(
    name="case_flags",
    key="case_id",
    columns=("case_id", "counter_key", *FLAG_NAMES),
)
COUNTS = Table(
    name="counts",
    key="counter_key",
    columns=(
        "counter_key",
        "unit_id",
        "model",
        "cycle_year",
        "target_group",
        *FLAG_NAMES,
        "position",
    ),
)
SUBJECTS = Table(
    name="subjects",
    key="subject_key",
    columns=("subject_key", "unit_id", "subject_kind", "target_group", "subjects", "position"),
)

CASE_TOPICS = {
    Case.Opened.TOPIC,
    Case.Appraised.TOPIC,
    Case.TitleGranted.TOPIC,
    Case.Withdrawn.TOPIC,
    Case.TitleRevoked.TOPIC,
}
SUBJECT_TOPICS = {Person.Registered.TOPIC, Collective.Registered.TOPIC}
MOVE_TOPICS = {Person.Relocated.TOPIC, Collective.Relocated.TOPIC}


def counter_key(unit_id: str, model: str, cycle_year: int, group: str | None) -> str:
    return f"{unit_id}|{model}|{cycle_year}|{group or ''}"


def flags_after(flags: Row | None, envelope: Envelope) -> Row | None:
    """A case's three flags after one of its events."""
    event, topic = envelope.event, envelope.topic
    if topic == Case.Opened.TOPIC:
        key = counter_key(str(event.unit_id), event.model, event.cycle_year, event.target_group)
        return {
            "case_id": str(event.originator_id),
            "counter_key": key,
            "registered": 1,
            "assessed": 0,
            "recognised": 0,
        }
    if flags is None:
        return None
    changed = dict(flags)
    if topic == Case.Appraised.TOPIC:
        changed["assessed"] = 1
    elif topic == Case.TitleGranted.TOPIC:
        changed["recognised"] = 1
    elif topic == Case.TitleRevoked.TOPIC:
        changed["recognised"] = 0
    elif topic == Case.Withdrawn.TOPIC:
        changed |= {"registered": 0, "assessed": 0, "recognised": 0}
    return changed


class Statistics(Projection):
    name = "statistics"
    #: 2: counts and subjects per target group; 3: revocations; 4: subjects that move;
    #: 5: counts and subjects indexed by unit (a unit's report reads its own rows only);
    #: 6: each row's last position (a report redoes only the lines whose rows moved)
    version = 6
    tables = (FLAGS, COUNTS, SUBJECTS)
    topics = frozenset(CASE_TOPICS | SUBJECT_TOPICS | MOVE_TOPICS)
    folder = Path(__file__).parent

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        event = envelope.event
        if envelope.topic in SUBJECT_TOPICS:
            yield "subjects", self._subject_key(envelope)
            return
        if envelope.topic in MOVE_TOPICS:
            yield "subjects", self._subject_key(envelope, str(event.from_unit_id))
            yield "subjects", self._subject_key(envelope)
            return
        yield "case_flags", str(event.originator_id)
        if envelope.topic == Case.Opened.TOPIC:
            yield (
                "counts",
                counter_key(str(event.unit_id), event.model, event.cycle_year, event.target_group),
            )

    def _subject_key(self, envelope: Envelope, unit_id: str | None = None) -> str:
        """The subjects row an event counts in: by unit (the event's, unless given), kind
        and, for persons, target group."""
        event = envelope.event
        unit = unit_id or str(event.unit_id)
        if envelope.topic in (Person.Registered.TOPIC, Person.Relocated.TOPIC):
            return f"{unit}|person|{event.target_group or ''}"
        return f"{unit}|{event.kind}|"

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        at = envelope.position
        if envelope.topic in SUBJECT_TOPICS:
            _count_subject(rows, self._subject_key(envelope), +1, at)
            return
        if envelope.topic in MOVE_TOPICS:
            from_unit = str(envelope.event.from_unit_id)
            _count_subject(rows, self._subject_key(envelope, from_unit), -1, at)
            _count_subject(rows, self._subject_key(envelope), +1, at)
            return
        case_id = str(envelope.event.originator_id)
        before = rows.get("case_flags", case_id)
        after = flags_after(before, envelope)
        if after is None:
            return
        rows.put("case_flags", after)
        key = after["counter_key"]
        unit_id, model, cycle, group = key.split("|")
        counts = rows.get("counts", key) or {
            "counter_key": key,
            "unit_id": unit_id,
            "model": model,
            "cycle_year": int(cycle),
            "target_group": group or None,
            "registered": 0,
            "assessed": 0,
            "recognised": 0,
        }
        for flag in FLAG_NAMES:
            counts[flag] += after[flag] - (before[flag] if before else 0)
        rows.put("counts", counts | {"position": at})


def _count_subject(rows: Rows, key: str, change: int, at: int) -> None:
    unit_id, kind, group = key.split("|")
    row = rows.get("subjects", key) or {
        "subject_key": key,
        "unit_id": unit_id,
        "subject_kind": kind,
        "target_group": group or None,
        "subjects": 0,
    }
    rows.put("subjects", row | {"subjects": row["subjects"] + change, "position": at})
