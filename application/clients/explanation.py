"""Award explanations: how a title was granted or refused, every statement citing its event.

Everything is read from the log: the case's events, the decisions that ruled on it, the
complaints about it and its pinned criteria set, each with the place it holds in the log
(the hash chain's position and the log's notification id), so that a reader can follow each
statement to the event it rests on. People appear only as user id and role. Nothing is written.

The related events are found by reading the whole log in pages and keeping those of the case,
its criteria set, the decisions whose entries name it and the complaints whose cases include
it. That is fine at demo and commune sizes; a large deployment needs an index of the log by
originator (and of decisions and complaints by case) instead of the scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from string import Formatter
from typing import Any, Literal
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.adapters.audit import chained_events
from application.clients.explanation_text import EN, SEATS, TEXT
from application.ledger import Ledger
from application.services.access import Principal
from domain.assessment import AssessmentCase as Case
from domain.base import CommandContext
from domain.complaints import Complaint
from domain.criteria import CriteriaSpec, parse_spec
from domain.decision import RecognitionDecision
from domain.errors import NotFound, StepOutOfOrder
from domain.evaluation import Check, evaluate
from domain.glossary import ERASED_LABEL, IndicatorKind
from domain.glossary import label as label_vi
from domain.integrity import ChainedEvent
from domain.registry import Person

Language = Literal["vi", "en"]
SECTIONS: tuple[str, ...] = (
    "criteria",
    "opening",
    "evidence",
    "self_assessment",
    "review",
    "notice",
    "council",
)
SECTIONS += ("appraisal", "decision", "appeal")
_STATUS: dict[type, str] = {Case.TitleGranted: "granted", Case.RecognitionRefused: "refused"}
_STATUS |= {Case.TitleRevoked: "revoked", Case.ReopenedOnAppeal: "reopened"}
#: Events worded from their own fields alone: event class name -> (section, wording).
_PLAIN = {"Opened": ("opening", "opened")}
_PLAIN |= {"NoticePosted": ("notice", "posted"), "NoticeClosed": ("notice", "closed")}
_PLAIN |= {"ConflictDeclared": ("council", "declared"), "ReopenedOnAppeal": ("appeal", "reopened")}
_PLAIN |= {"Accepted": ("appeal", "accepted"), "NotAccepted": ("appeal", "not_accepted")}


@dataclass(frozen=True)
class Citation:
    """Where an event sits: chain position (None if its chain row is missing) and log id."""

    position: int | None
    notification_id: int
    topic: str
    originator_id: UUID
    version: int


@dataclass(frozen=True)
class Statement:
    text: str
    citations: tuple[Citation, ...]
    facts: dict[str, str] = field(default_factory=dict)
    """Each recorded value the text states, exactly as (at least) one cited event holds it."""


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Explanation:
    case_id: UUID
    language: Language
    title: str
    outcome: str  # granted | refused | revoked | reopened: where the title stands now
    outcome_label: str
    sections: tuple[Section, ...]
    #: "đã xóa" / "erased" when the subject's personal data was erased, else None.
    subject_label: str | None = None


@dataclass(frozen=True)
class Logged:
    citation: Citation
    event: Any


def explain(
    ledger: Ledger,
    case_id: UUID,
    language: Language = "vi",
    logged: list[Logged] | None = None,
    names: Mapping[str, str] | None = None,
) -> Explanation:
    """The explanation of a decided case; NotFound for no case, StepOutOfOrder if undecided.
    ``logged``: the case's :func:`related_events`, when the caller read them already;
    ``names``: what the reader may see for account and subject ids (:func:`reader_names`),
    which the statements then use instead of the ids (their facts keep the ids)."""
    if logged is None:
        logged = related_events(ledger, case_id)
    own = [x for x in logged if x.citation.originator_id == case_id]
    statuses = [_STATUS[type(x.event)] for x in own if type(x.event) in _STATUS]
    if not statuses:
        raise StepOutOfOrder("hồ sơ chưa có quyết định công nhận hoặc không công nhận")
    opened = own[0].event
    published = next(x for x in logged if x.citation.originator_id == opened.criteria_set_id)
    spec = replace(
        parse_spec(published.event.content),
        set_id=published.citation.originator_id,
        version=published.event.version,
    )
    gone = {x.event.evidence_id for x in own if isinstance(x.event, Case.EvidenceSuperseded)}
    writer = _Writer(_Wording(language), spec, published, gone, names or {})
    # a ruling cites its decision wherever the log put the two: a batch may save the cases'
    # rulings before the decision that issues them
    writer.decisions = {
        x.citation.originator_id: x
        for x in logged
        if isinstance(x.event, RecognitionDecision.Issued)
    }
    for item in logged:
        writer.word(item)
    words = writer.words
    return Explanation(
        case_id=case_id,
        language=language,
        title=words.format(
            words.t["title"], model=opened.model, year=opened.cycle_year, case=case_id
        ),
        outcome=statuses[-1],
        outcome_label=words.label(statuses[-1]),
        sections=tuple(
            Section(key, words.t[key], tuple(writer.sections[key]))
            for key in SECTIONS
            if writer.sections[key]
        ),
        subject_label=ERASED_LABEL[language] if _erased(ledger, opened.subject_id) else None,
    )


def _erased(ledger: Ledger, subject_id: UUID) -> bool:
    person = ledger.records.find(Person, subject_id)
    return person is not None and person.erased


def related_events(
    ledger: Ledger, case_id: UUID, rows: Iterable[ChainedEvent] | None = None
) -> list[Logged]:
    """The events an award rests on, decoded, with their places in the log, in log order.
    ``rows``: the log's chained rows, when the caller reads them for something else too."""
    store = ledger.store
    first = store.recorder.select_events(case_id, limit=1)
    opened = store.mapper.to_domain_event(first[0]) if first else None
    if not isinstance(opened, Case.Opened):
        raise NotFound("không tìm thấy hồ sơ đánh giá", kind="AssessmentCase", id=str(case_id))
    keep = {case_id, opened.criteria_set_id}
    scanned = (RecognitionDecision.Issued.TOPIC, Complaint.Received.TOPIC)
    found = []
    for row in chained_events(store) if rows is None else rows:
        if row.state is None or row.topic is None or row.version is None:
            continue  # a chain row whose event is gone: for the verifier to report
        originator = UUID(str(row.originator_id))
        if originator not in keep and row.topic not in scanned:
            continue
        stored = StoredEvent(originator, row.version, row.topic, row.state)
        event: Any = store.mapper.to_domain_event(stored)
        if originator not in keep and not _concerns(event, case_id):
            continue
        keep.add(originator)
        at = Citation(row.position, row.notification_id or 0, row.topic, originator, row.version)
        found.append(Logged(at, event))
    return found


def related_rows(ledger: Ledger, case_id: UUID, complaints: Iterable[UUID]) -> list[ChainedEvent]:
    """The chained rows :func:`related_events` keeps, read by aggregate, not by walking the
    log: the case's own events name its criteria set and every decision that ruled on it;
    ``complaints`` (from the complaints view) are those that name it. Pass them as ``rows``."""
    recorder: Any = ledger.store.recorder
    own = recorder.select_chained_of([case_id])
    named: set[UUID] = set(complaints)
    for row in own:
        if row.state is None or row.topic is None or row.version is None:
            continue
        stored = StoredEvent(case_id, row.version, row.topic, row.state)
        event = ledger.store.mapper.to_domain_event(stored)
        for name in ("criteria_set_id", "decision_id", "complaint_id"):
            if isinstance(value := getattr(event, name, None), UUID):
                named.add(value)
    others = recorder.select_chained_of(sorted(named, key=str)) if named else []
    return sorted([*own, *others], key=lambda row: row.notification_id or 0)


def _concerns(event: Any, case_id: UUID) -> bool:
    if isinstance(event, RecognitionDecision.Issued):
        return any(entry.get("case_id") == str(case_id) for entry in event.entries)
    return isinstance(event, Complaint.Received) and case_id in event.case_ids


class _Worded(str):
    """Text worded here (a label, a count, a list), not a value recorded in an event."""


class _Wording(Formatter):
    """Fills a wording: dates and decimals the language's way; ``{code!l}`` gives its label."""

    def __init__(self, language: Language) -> None:
        self.lang, self.t = language, TEXT[language]

    def label(self, code: str) -> _Worded:
        return _Worded(label_vi(code) if self.lang == "vi" else EN.get(code, label_vi(code)))

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return self.label(value) if conversion == "l" else super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "-"
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y") if self.lang == "vi" else value.isoformat()
        if isinstance(value, Decimal) and self.lang == "vi":
            return str(value).replace(".", ",")
        return super().format_field(value, format_spec)

    def __call__(self, key: str, **values: Any) -> _Worded:
        return _Worded(self.format(self.t[key], **values))


class _Writer:
    """Words the related events, in log order, as statements: ``on_<Event>`` or ``_PLAIN``."""

    def __init__(
        self,
        words: _Wording,
        spec: CriteriaSpec,
        published: Logged,
        gone: set[UUID],
        names: Mapping[str, str],
    ):
        self.words, self.spec, self.published, self.gone = words, spec, published, gone
        self.names = names
        self.sections: dict[str, list[Statement]] = {key: [] for key in SECTIONS}
        self.evidence: dict[UUID, Logged] = {}
        self.evidence_no: dict[UUID, int] = {}  # "minh chứng số 1": in the order attached
        self.decisions: dict[UUID, Logged] = {}
        self.scores: dict[str, tuple[Decimal, Logged]] = {}
        self.computed: dict[str, tuple[Decimal, Logged]] = {}  # member shares, not scored
        self.self_assessed: Logged | None = None
        self.model = _Worded("")
        self.decided = self.scores_changed = False

    def word(self, x: Logged) -> None:
        """Events neither handled nor plain (a handler assigned, an escalation, a lawsuit
        reported, a later version of the set) change nothing explained here."""
        name = type(x.event).__name__
        if handler := getattr(self, f"on_{name}", None):
            handler(x)
        elif name in _PLAIN:
            self.say(*_PLAIN[name], [x])

    def say(
        self,
        section: str,
        key: str,
        cites: list[Logged],
        facts_of: tuple[str, ...] = (),
        **extra: Any,
    ) -> None:
        """One statement from the first cited event's fields and ``extra``; every value used
        that is not ``_Worded`` is a recorded fact, which the tests follow to its event.
        ``facts_of``: fields of that event kept among the facts though the wording shows
        them another way (evidence by its number, a kind by its label)."""
        wording, values = self.words.t[key], {**vars(cites[0].event), **extra}
        used = {name for _, name, _, _ in self.words.parse(wording) if name}
        facts = {f: str(values[f]) for f in used - {"who"} if values.get(f) is not None}
        recorded = vars(cites[0].event)
        facts |= {f: str(recorded[f]) for f in facts_of if recorded.get(f) is not None}
        facts = {f: v for f, v in facts.items() if not isinstance(values[f], _Worded)}
        if "who" in used:
            event = cites[0].event
            name = self.names.get(str(event.actor_id))
            values["who"] = (
                self.words("who_named", **vars(event), actor_name=_Worded(name))
                if name
                else self.words("who", **vars(event))
            )
            facts["actor_id"] = event.actor_id
        for named in used & {"subject_id", "handler_id", "signer_id"}:
            if (name := self.names.get(str(values.get(named)))) is not None:
                values[named] = _Worded(name)
        citations = tuple(dict.fromkeys(c.citation for c in cites))
        self.sections[section].append(
            Statement(self.words.format(wording, **values), citations, facts)
        )

    def bands(self, codes: Any) -> _Worded:
        labels = {b.code: b.label for b in self.spec.rules.bands}
        return _Worded(", ".join(labels.get(c, c) for c in codes))

    def on_Published(self, x: Logged) -> None:
        s, rules, w = self.spec, self.spec.rules, self.words
        self.say(
            "criteria",
            "set",
            [x],
            title=s.title,
            legal_basis=s.legal_basis,
            issuer=s.issuer,
            since=s.effective_from,
        )
        parts = [w("min_total", n=rules.min_total)] if rules.min_total is not None else []
        if rules.indicator_floor is not None:
            parts.append(w("floor", n=rules.indicator_floor))
        shares = {i.code for i in s.indicators if i.kind is IndicatorKind.SHARE}
        parts += [
            w("floor_of_share" if k in shares else "floor_of", i=k, n=v)
            for k, v in rules.indicator_floors.items()
        ]
        parts += [w("mandatory", i=code) for code in rules.mandatory]
        if rules.recognised_bands:
            parts.append(w("bands", b=self.bands(rules.recognised_bands)))
        notice = w("notice_days", n=rules.notice_days) if rules.notice_days else w("no_notice")
        rule_text = _Worded("; ".join([*parts, notice]))
        basis = _Worded(rules.validity_basis or self.words("validity_basis"))
        self.say(
            "criteria",
            "rules",
            [x],
            rules=rule_text,
            validity_years=rules.validity_years,
            validity_basis=basis,
        )
        if s.illustrative:
            self.say("criteria", "illustrative", [x])

    def on_Opened(self, x: Logged) -> None:
        self.model = self.words.label(x.event.model)
        self.say("opening", "opened", [x])

    def on_EvidenceAttached(self, x: Logged) -> None:
        """Numbered in the order attached, labelled by kind; the id stays among the facts."""
        e = x.event
        self.evidence[e.evidence_id] = x
        self.evidence_no.setdefault(e.evidence_id, len(self.evidence_no) + 1)
        status = self.words("superseded" if e.evidence_id in self.gone else "in_force")
        indicators = _Worded(", ".join(e.indicators))
        self.say(
            "evidence",
            "evidence_item",
            [x],
            n=_Worded(self.evidence_no[e.evidence_id]),
            kind_label=self.words.label(e.kind),
            indicators=indicators,
            status=status,
            facts_of=("evidence_id", "kind"),
        )

    def evidence_ref(self, evidence_id: UUID) -> Any:
        """Evidence attached to this case by its number ("số 3"), else by its id."""
        if (number := self.evidence_no.get(evidence_id)) is not None:
            return self.words("evidence_no", n=number)
        return evidence_id

    def on_EvidenceSuperseded(self, x: Logged) -> None:
        e = x.event
        old = self.evidence_ref(e.evidence_id)
        if e.replaced_by is None:
            self.say("evidence", "dropped", [x], old=old, facts_of=("evidence_id",))
            return
        new = self.evidence_ref(e.replaced_by)
        facts = ("evidence_id", "replaced_by")
        self.say("evidence", "replaced", [x], old=old, new=new, facts_of=facts)

    def on_SelfAssessed(self, x: Logged) -> None:
        self.self_assessed = x
        scores = (
            f"{i.code}: {self.words.format_field(x.event.scores.get(i.code), '')}"
            for i in self.spec.indicators
            if i.computed is None
        )
        self.say("self_assessment", "self", [x], scores=_Worded("; ".join(scores)))

    def on_Reviewed(self, x: Logged) -> None:
        e, own = x.event, self.self_assessed
        self.scores, self.scores_changed = {k: (v, x) for k, v in e.scores.items()}, True
        seen = [self.evidence[i] for i in e.evidence_seen if i in self.evidence]
        self.say("review", "reviewed", [x, *seen], n=_Worded(len(seen)))
        for indicator in self.spec.indicators:
            if indicator.computed is not None:
                continue  # not scored by the reviewer: its figure has its own statement
            used = [v for v in seen if indicator.code in v.event.indicators]
            self.say(
                "review",
                "indicator",
                [x, *([own] if own else []), *used],
                indicator=indicator.code,
                name=_Worded(indicator.name),
                max=_Worded(self.words.format_field(indicator.max_points, "")),
                score=e.scores.get(indicator.code),
                self_score=own.event.scores.get(indicator.code) if own else None,
                evidence=_Worded(
                    ", ".join(str(self.evidence_ref(v.event.evidence_id)) for v in used) or "-"
                ),
            )

    def on_ScoreRevised(self, x: Logged) -> None:
        e = x.event
        self.scores[e.indicator], self.scores_changed = (e.score, x), True
        complaint = self.words("per_complaint", id=e.complaint_id) if e.complaint_id else ""
        self.say(
            "appeal" if self.decided else "review", "revised", [x], complaint=_Worded(complaint)
        )

    def on_MemberShareComputed(self, x: Logged) -> None:
        e = x.event
        self.computed[e.indicator], self.scores_changed = (e.share, x), True
        aged = getattr(e, "min_age", None) is not None  # events before age filters have none
        key = "member_share_aged" if aged else "member_share"
        self.say("review", key, [x], title_label=self.words.label(e.title))

    def on_CouncilFormed(self, x: Logged) -> None:
        self.say("council", "council_formed", [x], n=_Worded(len(x.event.members)))
        if not self.sections["notice"]:
            self.say("notice", "not_posted", [x, self.published])
        for m in x.event.members:
            seat = _Worded(SEATS.get(m["role"], (m["role"], m["role"]))[self.words.lang == "en"])
            conflict = self.words("conflict", reason=m["conflict"]) if m.get("conflict") else None
            conflict = conflict or self.words("no_conflict")
            member = self.names.get(str(m["user_id"]))
            shown = {"member": _Worded(member)} if member else {"member": m["user_id"]}
            self.say("council", "seat", [x], **shown, seat=seat, conflict=conflict)

    def on_Appraised(self, x: Logged) -> None:
        e, w = x.event, self.words
        band = w("band", b=self.bands([e.classification])) if e.classification else ""
        verdict = w("yes" if e.recommended else "no")
        max_total = _Worded(w.format_field(self.spec.max_total, ""))
        self.say("appraisal", "appraised", [x], verdict=verdict, band=_Worded(band), max=max_total)
        self.checks("appraisal", x)

    def checks(self, section: str, anchor: Logged) -> None:
        """Each threshold rule over the scores as they then stood, citing where each was set."""
        figures = self.scores | self.computed
        verdict = evaluate(self.spec, {k: v for k, (v, _) in figures.items()})
        for check in verdict.checks:
            source = figures.get(check.indicator or "")
            cites = [anchor, self.published, *([source[1]] if source else [])]
            passed = self.words("passed" if check.passed else "failed")
            if check.rule == "all_scored":
                self.say(section, "all_scored", cites, passed=passed)
                continue
            if check.rule.startswith("level"):  # the level met, then each level's targets
                number = check.rule.removeprefix("level").lstrip("_")
                rule = self.words("rule_level_n", n=number) if number else self.words("rule_level")
                expected = _Worded(check.expected.replace(">=", "≥"))
                found = _Worded(check.found)
            else:
                rule = self.words(f"rule_{self.rule_key(check)}", i=check.indicator)
                expected, found = self.measures(check)
            self.say(
                section, "check", cites, rule=rule, expected=expected, found=found, passed=passed
            )
        self.scores_changed = False

    def rule_key(self, check: Check) -> str:
        """A floor on a computed share is a percentage, not points: it is worded as one."""
        indicator = self.spec.indicator(check.indicator or "")
        if check.rule == "indicator_floor" and indicator and indicator.kind is IndicatorKind.SHARE:
            return "share_floor"
        return check.rule

    def measures(self, check: Check) -> tuple[_Worded, Any]:
        """What a rule requires (worded) and what was found (a score or total as recorded)."""
        if check.rule == "band":
            found = _Worded("-") if check.found == "-" else self.bands([check.found])
            return self.bands(self.spec.rules.recognised_bands), found
        expected = check.expected.replace(">=", "≥")
        if self.words.lang == "vi":
            expected = expected.replace(".", ",")
        return _Worded(expected), Decimal(check.found)

    def on_Issued(self, x: Logged) -> None:
        self.decisions[x.citation.originator_id] = x

    def on_TitleGranted(self, x: Logged) -> None:
        e = x.event
        band = self.words("band", b=self.bands([e.classification])) if e.classification else ""
        self.ruling(x, "granted", band=_Worded(band))

    def on_RecognitionRefused(self, x: Logged) -> None:
        self.ruling(x, "refused")

    def on_TitleRevoked(self, x: Logged) -> None:
        self.ruling(x, "revoked")

    def ruling(self, x: Logged, key: str, **extra: Any) -> None:
        section = "appeal" if self.decided else "decision"
        issued = self.decisions[x.event.decision_id]
        amended = self.decisions.get(issued.event.amends) if issued.event.amends else None
        cited = amended.event.number if amended else issued.event.amends
        amends = self.words("amends", id=cited) if issued.event.amends else ""
        self.say(section, "decision_issued", [issued, x], amends=_Worded(amends))
        if self.scores_changed and key != "revoked":
            self.checks(section, x)
        self.say(section, key, [x, issued], model=self.model, **extra)
        self.decided = True

    def on_Received(self, x: Logged) -> None:
        about = self.decisions.get(x.event.decision_id)
        subject = about.event.number if about else x.event.step
        self.say("appeal", "received", [x, *([about] if about else [])], about=subject)

    def on_Resolved(self, x: Logged) -> None:
        late = self.words("late") if x.event.late else ""
        self.say("appeal", "resolved", [x], late=_Worded(late))


def reader_names(
    ledger: Ledger, ctx: CommandContext, principal: Principal, logged: list[Logged]
) -> dict[str, str]:
    """What this reader may see for the accounts that acted and the subject of the case:
    names for the roles that read personal data (recorded in their read trail), initials
    for everyone else (:class:`application.services.names.NameBook`)."""
    ids: set[UUID] = set()
    for x in logged:
        seated = [m.get("user_id") for m in getattr(x.event, "members", None) or ()]
        for value in (
            getattr(x.event, "actor_id", None),
            getattr(x.event, "subject_id", None),
            *seated,
        ):
            try:
                ids.add(UUID(str(value)))
            except ValueError:  # the console or a system job, not an account
                continue
    found = ledger.names.names(ctx, ids, roles=principal.roles, person_id=principal.person_id)
    return {str(record_id): name for record_id, name in found.items()}
