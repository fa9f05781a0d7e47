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

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from string import Formatter
from typing import Any, Literal
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.audit import chained_events
from application.ledger import Ledger
from domain.assessment import AssessmentCase as Case
from domain.complaints import Complaint
from domain.criteria import CriteriaSpec, parse_spec
from domain.decision import RecognitionDecision
from domain.errors import NotFound, StepOutOfOrder
from domain.evaluation import Check, evaluate
from domain.glossary import CaseStatus, ComplaintOutcome, Role, SubjectKind, TitleModel, UnitLevel
from domain.glossary import label as label_vi

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
_PLAIN = {"Opened": ("opening", "opened"), "EvidenceSuperseded": ("evidence", "replaced")}
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


@dataclass(frozen=True)
class Logged:
    citation: Citation
    event: Any


def explain(ledger: Ledger, case_id: UUID, language: Language = "vi") -> Explanation:
    """The explanation of a decided case; NotFound for no case, StepOutOfOrder if undecided."""
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
    writer = _Writer(_Wording(language), spec, published, gone)
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
    )


def related_events(ledger: Ledger, case_id: UUID) -> list[Logged]:
    """The events an award rests on, decoded, with their places in the log, in log order."""
    store = ledger.store
    first = store.recorder.select_events(case_id, limit=1)
    opened = store.mapper.to_domain_event(first[0]) if first else None
    if not isinstance(opened, Case.Opened):
        raise NotFound("không tìm thấy hồ sơ đánh giá", kind="AssessmentCase", id=str(case_id))
    keep = {case_id, opened.criteria_set_id}
    scanned = (RecognitionDecision.Issued.TOPIC, Complaint.Received.TOPIC)
    found = []
    for row in chained_events(store):
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

    def __init__(self, words: _Wording, spec: CriteriaSpec, published: Logged, gone: set[UUID]):
        self.words, self.spec, self.published, self.gone = words, spec, published, gone
        self.sections: dict[str, list[Statement]] = {key: [] for key in SECTIONS}
        self.evidence: dict[UUID, Logged] = {}
        self.decisions: dict[UUID, Logged] = {}
        self.scores: dict[str, tuple[Decimal, Logged]] = {}
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

    def say(self, section: str, key: str, cites: list[Logged], **extra: Any) -> None:
        """One statement from the first cited event's fields and ``extra``; every value used
        that is not ``_Worded`` is a recorded fact, which the tests follow to its event."""
        wording, values = self.words.t[key], {**vars(cites[0].event), **extra}
        used = {name for _, name, _, _ in self.words.parse(wording) if name}
        facts = {f: str(values[f]) for f in used - {"who"} if values.get(f) is not None}
        facts = {f: v for f, v in facts.items() if not isinstance(values[f], _Worded)}
        if "who" in used:
            values["who"] = self.words("who", **vars(cites[0].event))
            facts["actor_id"] = cites[0].event.actor_id
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
        parts += [w("floor_of", i=k, n=v) for k, v in rules.indicator_floors.items()]
        parts += [w("mandatory", i=code) for code in rules.mandatory]
        if rules.recognised_bands:
            parts.append(w("bands", b=self.bands(rules.recognised_bands)))
        notice = w("notice_days", n=rules.notice_days) if rules.notice_days else w("no_notice")
        rule_text = _Worded("; ".join([*parts, notice]))
        self.say("criteria", "rules", [x], rules=rule_text, validity_years=rules.validity_years)

    def on_Opened(self, x: Logged) -> None:
        self.model = self.words.label(x.event.model)
        self.say("opening", "opened", [x])

    def on_EvidenceAttached(self, x: Logged) -> None:
        e = x.event
        self.evidence[e.evidence_id] = x
        status = self.words("superseded" if e.evidence_id in self.gone else "in_force")
        indicators = _Worded(", ".join(e.indicators))
        self.say("evidence", "evidence_item", [x], indicators=indicators, status=status)

    def on_SelfAssessed(self, x: Logged) -> None:
        self.self_assessed = x
        scores = (
            f"{i.code}: {self.words.format_field(x.event.scores.get(i.code), '')}"
            for i in self.spec.indicators
        )
        self.say("self_assessment", "self", [x], scores=_Worded("; ".join(scores)))

    def on_Reviewed(self, x: Logged) -> None:
        e, own = x.event, self.self_assessed
        self.scores, self.scores_changed = {k: (v, x) for k, v in e.scores.items()}, True
        seen = [self.evidence[i] for i in e.evidence_seen if i in self.evidence]
        self.say("review", "reviewed", [x, *seen], n=_Worded(len(seen)))
        for indicator in self.spec.indicators:
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
                evidence=_Worded(", ".join(str(v.event.evidence_id) for v in used) or "-"),
            )

    def on_ScoreRevised(self, x: Logged) -> None:
        e = x.event
        self.scores[e.indicator], self.scores_changed = (e.score, x), True
        complaint = self.words("per_complaint", id=e.complaint_id) if e.complaint_id else ""
        self.say(
            "appeal" if self.decided else "review", "revised", [x], complaint=_Worded(complaint)
        )

    def on_CouncilFormed(self, x: Logged) -> None:
        self.say("council", "council_formed", [x], n=_Worded(len(x.event.members)))
        if not self.sections["notice"]:
            self.say("notice", "not_posted", [x, self.published])
        for m in x.event.members:
            seat = _Worded(SEATS.get(m["role"], (m["role"], m["role"]))[self.words.lang == "en"])
            conflict = self.words("conflict", reason=m["conflict"]) if m.get("conflict") else None
            conflict = conflict or self.words("no_conflict")
            self.say("council", "seat", [x], member=m["user_id"], seat=seat, conflict=conflict)

    def on_Appraised(self, x: Logged) -> None:
        e, w = x.event, self.words
        band = w("band", b=self.bands([e.classification])) if e.classification else ""
        verdict = w("yes" if e.recommended else "no")
        max_total = _Worded(w.format_field(self.spec.max_total, ""))
        self.say("appraisal", "appraised", [x], verdict=verdict, band=_Worded(band), max=max_total)
        self.checks("appraisal", x)

    def checks(self, section: str, anchor: Logged) -> None:
        """Each threshold rule over the scores as they then stood, citing where each was set."""
        verdict = evaluate(self.spec, {k: v for k, (v, _) in self.scores.items()})
        for check in verdict.checks:
            source = self.scores.get(check.indicator or "")
            cites = [anchor, self.published, *([source[1]] if source else [])]
            passed = self.words("passed" if check.passed else "failed")
            if check.rule == "all_scored":
                self.say(section, "all_scored", cites, passed=passed)
                continue
            rule = self.words(f"rule_{check.rule}", i=check.indicator)
            expected, found = self.measures(check)
            self.say(
                section, "check", cites, rule=rule, expected=expected, found=found, passed=passed
            )
        self.scores_changed = False

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
        amends = self.words("amends", id=issued.event.amends) if issued.event.amends else ""
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


#: Seat roles on a council (stored as codes in CouncilFormed): Vietnamese, English.
SEATS = {"chair": ("chủ tịch hội đồng", "chair"), "member": ("thành viên", "member")}
SEATS |= {"secretary": ("thư ký", "secretary")}

#: English for the glossary's codes (its Vietnamese labels are the official terms).
EN = {m.value: m.name.replace("_", " ").lower() for m in (*SubjectKind, *Role, *UnitLevel)}
EN |= {m.value: m.name.replace("_", " ").lower() for m in (*CaseStatus, *ComplaintOutcome)}
EN |= {m.value: m.name.replace("_", " ").title() for m in TitleModel}

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Giải trình kết quả xét công nhận danh hiệu {model!l} năm {year} (hồ sơ {case})",
        "criteria": "Bộ tiêu chí và căn cứ pháp lý",
        "opening": "Đăng ký xét công nhận",
        "evidence": "Minh chứng",
        "self_assessment": "Tự đánh giá",
        "review": "Thẩm định và điều chỉnh điểm",
        "notice": "Niêm yết công khai",
        "council": "Hội đồng xét duyệt",
        "appraisal": "Kết quả xét duyệt và các ngưỡng",
        "decision": "Quyết định",
        "appeal": "Khiếu nại, xem xét lại và quyết định sửa đổi",
        "who": "người dùng {actor_id} ({actor_role!l})",
        "set": "Hồ sơ được đánh giá theo bộ tiêu chí “{title}”, mã {code}, phiên bản {version};"
        " căn cứ pháp lý: {legal_basis}; cơ quan ban hành: {issuer}; hiệu lực từ ngày {since}.",
        "min_total": "tổng điểm từ {n} trở lên",
        "floor": "mỗi chỉ số từ {n} điểm trở lên",
        "floor_of": "chỉ số {i} từ {n} điểm trở lên",
        "mandatory": "chỉ số {i} là bắt buộc",
        "bands": "được xếp loại {b}",
        "notice_days": "niêm yết công khai ít nhất {n} ngày",
        "no_notice": "không yêu cầu niêm yết công khai",
        "rules": "Điều kiện công nhận: {rules}; danh hiệu có giá trị {validity_years} năm.",
        "opened": "Ngày {opened_on}, {who} đăng ký cho {subject_kind!l} {subject_id} xét danh hiệu"
        " {model!l} năm {cycle_year} (lần {attempt}), theo phiên bản {criteria_set_version}"
        " của bộ tiêu chí.",
        "evidence_item": "Minh chứng {evidence_id}: {kind}, do {issuer} cấp ngày {issued_on}, mã băm"
        " SHA-256 {digest}, cho chỉ số {indicators}; {who} nộp; {status}.",
        "in_force": "còn hiệu lực",
        "superseded": "đã bị thay thế",
        "replaced": "{who} thay minh chứng {evidence_id} bằng {replaced_by}. Lý do: {reason}.",
        "self": "Ngày {assessed_on}, {who} tự đánh giá: {scores}.",
        "reviewed": "Ngày {reviewed_on}, {who} thẩm định hồ sơ trên cơ sở {n} minh chứng đã xem."
        " Nhận xét: {remarks}.",
        "indicator": "Chỉ số {indicator} – {name} (tối đa {max} điểm): {who} chấm {score} điểm"
        " (tự đánh giá: {self_score}); minh chứng đã xem: {evidence}.",
        "per_complaint": " theo khiếu nại {id}",
        "revised": "Ngày {revised_on}, {who} điều chỉnh điểm chỉ số {indicator} từ {previous}"
        " thành {score}{complaint}. Lý do: {reason}.",
        "posted": "Ngày {posted_on}, {who} niêm yết công khai hồ sơ tại {place} đến ngày"
        " {closes_on}.",
        "closed": "Ngày {closed_on}, {who} kết thúc niêm yết; số ý kiến nhận được:"
        " {comments_received}. Tóm tắt: {summary}.",
        "not_posted": "Bộ tiêu chí không yêu cầu niêm yết công khai; hồ sơ được chuyển hội đồng"
        " xét duyệt không qua niêm yết.",
        "council_formed": "Ngày {formed_on}, {who} thành lập {name} gồm {n} thành viên.",
        "seat": "Thành viên {member}, {seat}: {conflict}.",
        "conflict": "đã khai báo xung đột lợi ích ({reason}), không biểu quyết",
        "no_conflict": "không khai báo xung đột lợi ích",
        "declared": "{who} ghi nhận xung đột lợi ích của thành viên {member_id}: {reason};"
        " thành viên này không biểu quyết.",
        "band": ", xếp loại {b}",
        "yes": "đề nghị",
        "no": "không đề nghị",
        "appraised": "Ngày {appraised_on}, hội đồng {verdict} công nhận với {votes_for} phiếu"
        " tán thành, {votes_against} phiếu không tán thành; tổng điểm {total}/{max}{band};"
        " {who} ghi kết quả. Ý kiến: {remarks}.",
        "all_scored": "Mọi chỉ số đều được chấm: {passed}.",
        "rule_min_total": "Tổng điểm",
        "rule_indicator_floor": "Điểm chỉ số {i}",
        "rule_mandatory": "Chỉ số bắt buộc {i}",
        "rule_band": "Xếp loại",
        "check": "{rule}: yêu cầu {expected}, đạt {found}: {passed}.",
        "passed": "đạt",
        "failed": "không đạt",
        "amends": "; sửa đổi quyết định {id}",
        "decision_issued": "Quyết định số {number} ngày {decided_on} của {authority_name}"
        " ({authority_level!l}), do {signer_title} (người dùng {signer_id}) ký; căn cứ:"
        " {legal_basis}{amends}.",
        "granted": "Theo quyết định số {decision_number}, hồ sơ được công nhận danh hiệu {model}:"
        " tổng điểm {total}{band}; hiệu lực từ ngày {valid_from} đến ngày {valid_until}.",
        "refused": "Theo quyết định số {decision_number}, hồ sơ không được công nhận danh hiệu"
        " {model}. Lý do: {reason}.",
        "revoked": "Theo quyết định số {decision_number}, danh hiệu {model} bị thu hồi kể từ ngày"
        " {revoked_from}. Lý do: {reason}.",
        "reopened": "Ngày {reopened_on}, hồ sơ được xem xét lại theo khiếu nại {complaint_id}.",
        "received": "Ngày {received_on}, nhận đơn khiếu nại lần {level} ({originator_id}) về"
        " {about}; hạn khiếu nại: {filing_deadline}.",
        "accepted": "Ngày {accepted_on}, {who} thụ lý khiếu nại {originator_id}; hạn giải quyết:"
        " {resolution_deadline}.",
        "not_accepted": "Ngày {decided_on}, {who} không thụ lý khiếu nại {originator_id} theo"
        " {rule}. Lý do: {reason}.",
        "resolved": "Ngày {resolved_on}, {who} giải quyết khiếu nại {originator_id}:"
        " {outcome!l}{late}. Lý do: {reason}.",
        "late": " (quá hạn giải quyết)",
    },
    "en": {
        "title": "How the {model!l} title for {year} was decided (case {case})",
        "criteria": "Criteria set and legal basis",
        "opening": "Registration",
        "evidence": "Evidence",
        "self_assessment": "Self-assessment",
        "review": "Review and score revisions",
        "notice": "Public notice",
        "council": "Appraisal council",
        "appraisal": "Appraisal and thresholds",
        "decision": "Decision",
        "appeal": "Complaints, reopening and amending decisions",
        "who": "user {actor_id} ({actor_role!l})",
        "set": "The case was assessed under the criteria set “{title}”, code {code}, version"
        " {version}; legal basis: {legal_basis}; issued by: {issuer}; in force from {since}.",
        "min_total": "a total of at least {n}",
        "floor": "at least {n} points on every indicator",
        "floor_of": "at least {n} points on indicator {i}",
        "mandatory": "indicator {i} is mandatory",
        "bands": "classified {b}",
        "notice_days": "a public notice of at least {n} days",
        "no_notice": "no public notice required",
        "rules": "Conditions for recognition: {rules}; the title is valid for {validity_years}"
        " year(s).",
        "opened": "On {opened_on}, {who} registered {subject_kind!l} {subject_id} for the"
        " {model!l} title of {cycle_year} (attempt {attempt}), under version"
        " {criteria_set_version} of the criteria set.",
        "evidence_item": "Evidence {evidence_id}: {kind}, issued by {issuer} on {issued_on}, SHA-256"
        " {digest}, for indicator(s) {indicators}; submitted by {who}; {status}.",
        "in_force": "in force",
        "superseded": "superseded",
        "replaced": "{who} replaced evidence {evidence_id} with {replaced_by}. Reason: {reason}.",
        "self": "On {assessed_on}, {who} self-assessed: {scores}.",
        "reviewed": "On {reviewed_on}, {who} reviewed the case on the {n} evidence item(s) seen."
        " Remarks: {remarks}.",
        "indicator": "Indicator {indicator} – {name} (at most {max} points): {who} gave {score}"
        " (self-assessed: {self_score}); evidence seen: {evidence}.",
        "per_complaint": " following complaint {id}",
        "revised": "On {revised_on}, {who} revised indicator {indicator} from {previous} to"
        " {score}{complaint}. Reason: {reason}.",
        "posted": "On {posted_on}, {who} posted the public notice at {place} until {closes_on}.",
        "closed": "On {closed_on}, {who} closed the notice; comments received:"
        " {comments_received}. Summary: {summary}.",
        "not_posted": "The criteria set requires no public notice; the case went to the council"
        " without one.",
        "council_formed": "On {formed_on}, {who} formed {name} with {n} member(s).",
        "seat": "Member {member}, {seat}: {conflict}.",
        "conflict": "declared a conflict of interest ({reason}) and did not vote",
        "no_conflict": "no conflict of interest declared",
        "declared": "{who} recorded a conflict of interest of member {member_id}: {reason}; the"
        " member did not vote.",
        "band": ", classified {b}",
        "yes": "recommended",
        "no": "did not recommend",
        "appraised": "On {appraised_on}, the council {verdict} recognition, {votes_for} vote(s)"
        " for and {votes_against} against; total {total}/{max}{band}; recorded by {who}."
        " Remarks: {remarks}.",
        "all_scored": "Every indicator was scored: {passed}.",
        "rule_min_total": "Total",
        "rule_indicator_floor": "Indicator {i}",
        "rule_mandatory": "Mandatory indicator {i}",
        "rule_band": "Classification",
        "check": "{rule}: required {expected}, found {found}: {passed}.",
        "passed": "passed",
        "failed": "failed",
        "amends": "; amending decision {id}",
        "decision_issued": "Decision no. {number} of {decided_on} by {authority_name}"
        " ({authority_level!l}), signed by the {signer_title} (user {signer_id}); legal basis:"
        " {legal_basis}{amends}.",
        "granted": "By decision no. {decision_number}, the {model} title was granted: total"
        " {total}{band}; valid from {valid_from} to {valid_until}.",
        "refused": "By decision no. {decision_number}, the {model} title was refused. Reason:"
        " {reason}.",
        "revoked": "By decision no. {decision_number}, the {model} title was revoked from"
        " {revoked_from}. Reason: {reason}.",
        "reopened": "On {reopened_on}, the case was reopened following complaint {complaint_id}.",
        "received": "On {received_on}, complaint no. {level} ({originator_id}) was received about"
        " {about}; filing deadline: {filing_deadline}.",
        "accepted": "On {accepted_on}, {who} accepted complaint {originator_id}; resolution"
        " deadline: {resolution_deadline}.",
        "not_accepted": "On {decided_on}, {who} did not accept complaint {originator_id} under"
        " {rule}. Reason: {reason}.",
        "resolved": "On {resolved_on}, {who} resolved complaint {originator_id}:"
        " {outcome!l}{late}. Reason: {reason}.",
        "late": " (after the resolution deadline)",
    },
}
