"""The assessment case: from a subject's registration for a title to the decision on it.

One case per (subject, title, cycle year, attempt); its id derives from that key, so the store
refuses a second case for the same attempt, and a new attempt may only follow a withdrawn
one. The case is pinned to the criteria-set version in force when it was opened; every score
is validated against that version only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, current_context, ledger_id
from domain.criteria import CriteriaSpec, Indicator
from domain.dates import DOCUMENT_DATES, check_process_dates
from domain.errors import (
    CaseAlreadyOpen,
    ConflictOfInterest,
    DateOutOfOrder,
    EvidenceNotUsable,
    InvalidInput,
    NotComputedIndicator,
    NotFound,
    ReasonRequired,
    RuleViolation,
    SeparationOfDuties,
    StepOutOfOrder,
    SubjectMismatch,
    ThresholdNotMet,
    WrongCriteriaSet,
)
from domain.evaluation import Verdict, evaluate
from domain.glossary import SUBJECT_OF_MODEL, CaseStatus, SubjectKind, TitleModel
from domain.scoring import (
    CouncilSeat,
    EvidenceItem,
    check_evidence_supports,
    checked_scores,
    indicator_of,
)

S = CaseStatus
_DIGEST = re.compile(r"[0-9a-f]{64}")


def case_id_for(subject_id: UUID, model: TitleModel, cycle_year: int, attempt: int) -> UUID:
    return ledger_id("assessment-case", subject_id, model.value, cycle_year, attempt)


@aggregate_topic("hoctap.AssessmentCase")
class AssessmentCase(LedgerAggregate):
    class Opened(LedgerCreated):
        TOPIC = "hoctap.AssessmentCase.Opened"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Cases opened before the version number was recorded: unknown, not guessed."""
            state["criteria_set_version"] = None

        subject_id: UUID
        subject_kind: str
        model: str
        cycle_year: int
        attempt: int
        criteria_set_id: UUID
        criteria_set_code: str
        criteria_set_version: int | None  # since class_version 2
        unit_id: UUID
        target_group: str | None
        level: int | None
        opened_on: date
        data_period_start: date
        data_period_end: date

    class EvidenceAttached(LedgerAggregate.Event):
        """``digest`` addresses the stored file; ``sealed`` (since class_version 2) is the
        plaintext's digest sealed under the subject's key, the file then being encrypted
        under a key derived from it. Files attached before were stored in clear."""

        TOPIC = "hoctap.AssessmentCase.EvidenceAttached"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sealed"] = None

        evidence_id: UUID
        digest: str
        sealed: str | None
        size: int
        media_type: str
        kind: str
        issuer: str
        issued_on: date
        indicators: list[str]

        def apply(self, case: AssessmentCase) -> None:
            case.evidence[self.evidence_id] = EvidenceItem(
                evidence_id=self.evidence_id,
                digest=self.digest,
                sealed=self.sealed,
                size=self.size,
                media_type=self.media_type,
                kind=self.kind,
                issuer=self.issuer,
                issued_on=self.issued_on,
                indicators=tuple(self.indicators),
                submitted_by=self.actor_id,
            )

    class EvidenceSuperseded(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.EvidenceSuperseded"
        evidence_id: UUID
        replaced_by: UUID | None

        def apply(self, case: AssessmentCase) -> None:
            item = case.evidence[self.evidence_id]
            case.evidence[self.evidence_id] = replace(
                item, superseded=True, superseded_by=self.replaced_by
            )

    class SelfAssessed(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.SelfAssessed"
        scores: dict[str, Decimal]
        assessed_on: date

        def apply(self, case: AssessmentCase) -> None:
            case.self_scores = dict(self.scores)
            case.self_assessor = self.actor_id
            case.self_assessors.add(self.actor_id)
            case.step_dates[S.SELF_ASSESSED] = self.assessed_on
            case.status = S.SELF_ASSESSED

    class Reviewed(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.Reviewed"
        scores: dict[str, Decimal]
        evidence_seen: list[UUID]
        reviewed_on: date
        remarks: str | None

        def apply(self, case: AssessmentCase) -> None:
            case.review_scores = dict(self.scores)
            case.final_scores = dict(self.scores)
            case.evidence_seen = list(self.evidence_seen)
            case.reviewer = self.actor_id
            case.step_dates[S.REVIEWED] = self.reviewed_on
            case.status = S.REVIEWED

    class ScoreRevised(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.ScoreRevised"
        indicator: str
        previous: Decimal
        score: Decimal
        revised_on: date
        complaint_id: UUID | None = None  # set when the revision follows an upheld complaint

        def apply(self, case: AssessmentCase) -> None:
            case.final_scores[self.indicator] = self.score
            case.revisers.add(self.actor_id)

    class MemberShareComputed(LedgerAggregate.Event):
        """A computed indicator's figure: of ``denominator`` members of the unit on
        ``as_of``, ``numerator`` held the title then, as the register stood at
        ``log_position``. Counts and ids only: no member is named here.

        With an age filter (``min_age``), ``under_age`` members known to be younger on
        ``as_of`` are left out of both counts, and ``unknown_age`` members whose date of
        birth could not be read (never given, or erased) are counted in ``denominator`` as
        if of age (see :meth:`AssessmentCase.record_member_share`). No birth date is here.
        """

        TOPIC = "hoctap.AssessmentCase.MemberShareComputed"
        indicator: str
        title: str
        share: Decimal  # percent, rounded down to hundredths: never up into a threshold
        numerator: int
        denominator: int
        data_period_start: date
        data_period_end: date
        as_of: date
        log_position: int
        computed_on: date
        min_age: int | None = None  # None: every member counts, whatever their age
        under_age: int = 0
        unknown_age: int = 0

        def apply(self, case: AssessmentCase) -> None:
            case.computed_scores[self.indicator] = self.share

    class NoticePosted(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.NoticePosted"
        posted_on: date
        closes_on: date
        place: str

        def apply(self, case: AssessmentCase) -> None:
            case.notice_closes_on = self.closes_on
            case.step_dates[S.NOTICE_POSTED] = self.posted_on
            case.status = S.NOTICE_POSTED

    class NoticeClosed(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.NoticeClosed"
        closed_on: date
        comments_received: int
        summary: str | None

        def apply(self, case: AssessmentCase) -> None:
            case.step_dates[S.NOTICE_CLOSED] = self.closed_on
            case.status = S.NOTICE_CLOSED

    class CouncilFormed(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.CouncilFormed"
        name: str
        members: list[dict[str, Any]]
        formed_on: date

        def apply(self, case: AssessmentCase) -> None:
            case.council = [CouncilSeat(**m) for m in self.members]
            case.step_dates[S.COUNCIL_FORMED] = self.formed_on
            case.status = S.COUNCIL_FORMED

    class ConflictDeclared(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.ConflictDeclared"
        member_id: str

        def apply(self, case: AssessmentCase) -> None:
            case.council = [
                replace(s, conflict=self.reason) if s.user_id == self.member_id else s
                for s in case.council
            ]

    class Appraised(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.Appraised"
        recommended: bool
        total: Decimal
        classification: str | None
        thresholds_passed: bool
        votes_for: int
        votes_against: int
        appraised_on: date
        remarks: str | None
        level: int | None = None  # the highest level met, in a set with levels

        def apply(self, case: AssessmentCase) -> None:
            case.recommended = self.recommended
            case.appraiser = self.actor_id
            case.step_dates[S.APPRAISED] = self.appraised_on
            case.status = S.APPRAISED

    class TitleGranted(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.TitleGranted"
        decision_id: UUID
        decision_number: str
        decided_on: date
        valid_from: date
        valid_until: date
        total: Decimal
        classification: str | None
        level: int | None = None  # the level recognised, in a set with levels

        def apply(self, case: AssessmentCase) -> None:
            case.decision_id = self.decision_id
            case.granted_level = self.level
            case.valid_from, case.valid_until = self.valid_from, self.valid_until
            case.revoked_from = None
            case.expired_on = None
            case.step_dates[S.GRANTED] = self.decided_on
            case.status = S.GRANTED

    class TitleExpired(LedgerAggregate.Event):
        """The title's validity ended (``expired_on``: the first day without it). Recorded by
        the scheduled job, so that expiry is in the log like any other change of a title."""

        TOPIC = "hoctap.AssessmentCase.TitleExpired"
        expired_on: date

        def apply(self, case: AssessmentCase) -> None:
            case.expired_on = self.expired_on

    class RecognitionRefused(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.RecognitionRefused"
        decision_id: UUID
        decision_number: str
        decided_on: date

        def apply(self, case: AssessmentCase) -> None:
            case.decision_id = self.decision_id
            case.step_dates[S.REFUSED] = self.decided_on
            case.status = S.REFUSED

    class Withdrawn(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.Withdrawn"
        withdrawn_on: date

        def apply(self, case: AssessmentCase) -> None:
            case.status = S.WITHDRAWN

    class ReopenedOnAppeal(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.ReopenedOnAppeal"
        complaint_id: UUID
        reopened_on: date

        def apply(self, case: AssessmentCase) -> None:
            case.appeal_complaint_id = self.complaint_id
            case.step_dates[S.REOPENED] = self.reopened_on
            case.status = S.REOPENED

    class TitleRevoked(LedgerAggregate.Event):
        TOPIC = "hoctap.AssessmentCase.TitleRevoked"
        decision_id: UUID
        decision_number: str
        decided_on: date
        revoked_from: date

        def apply(self, case: AssessmentCase) -> None:
            case.decision_id = self.decision_id
            case.revoked_from = self.revoked_from
            case.step_dates[S.REVOKED] = self.decided_on
            case.status = S.REVOKED

    def __init__(
        self,
        subject_id: UUID,
        subject_kind: str,
        model: str,
        cycle_year: int,
        attempt: int,
        criteria_set_id: UUID,
        criteria_set_code: str,
        criteria_set_version: int | None,
        unit_id: UUID,
        target_group: str | None,
        level: int | None,
        opened_on: date,
        data_period_start: date,
        data_period_end: date,
    ) -> None:
        self.subject_id = subject_id
        self.subject_kind = SubjectKind(subject_kind)
        self.model = TitleModel(model)
        self.cycle_year = cycle_year
        self.attempt = attempt
        self.criteria_set_id = criteria_set_id
        self.criteria_set_code = criteria_set_code
        self.criteria_set_version = criteria_set_version
        self.unit_id = unit_id
        self.target_group = target_group
        self.level = level
        self.data_period = (data_period_start, data_period_end)
        self.status = S.OPENED
        self.step_dates: dict[CaseStatus, date] = {S.OPENED: opened_on}
        self.evidence: dict[UUID, EvidenceItem] = {}
        self.self_scores: dict[str, Decimal] = {}
        self.review_scores: dict[str, Decimal] = {}
        self.final_scores: dict[str, Decimal] = {}
        self.computed_scores: dict[str, Decimal] = {}  # from MemberShareComputed, by indicator
        self.granted_level: int | None = None
        self.evidence_seen: list[UUID] = []
        self.self_assessor: str | None = None  # who submitted the latest self-assessment
        self.self_assessors: set[str] = set()  # everyone who ever self-assessed this case
        self.reviewer: str | None = None
        self.revisers: set[str] = set()
        self.notice_closes_on: date | None = None
        self.council: list[CouncilSeat] = []
        self.recommended: bool | None = None
        self.appraiser: str | None = None
        self.decision_id: UUID | None = None
        self.valid_from: date | None = None
        self.valid_until: date | None = None
        self.appeal_complaint_id: UUID | None = None
        self.revoked_from: date | None = None
        self.expired_on: date | None = None

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        subject_id: UUID,
        subject_kind: SubjectKind,
        unit_id: UUID,
        model: TitleModel,
        cycle_year: int,
        spec: CriteriaSpec,
        opened_on: date,
        previous: AssessmentCase | None = None,
    ) -> AssessmentCase:
        """Open a case; ``previous`` is the latest earlier attempt for the same key, if any."""
        if SUBJECT_OF_MODEL[model] is not subject_kind:
            raise SubjectMismatch(
                f"danh hiệu {model.value} không dành cho đối tượng {subject_kind.value}",
                model=model.value,
                subject_kind=subject_kind.value,
            )
        if spec.set_id is None:
            raise WrongCriteriaSet("bộ tiêu chí chưa được công bố")
        if spec.model is not model:
            raise WrongCriteriaSet("bộ tiêu chí không thuộc mô hình này", model=model.value)
        if not opened_on.year - 1 <= cycle_year <= opened_on.year + 1:
            raise InvalidInput("năm đánh giá không hợp lệ", cycle_year=cycle_year)
        attempt = 1
        if previous is not None:
            if previous.status is not S.WITHDRAWN:
                raise CaseAlreadyOpen(
                    "đối tượng đã có hồ sơ cho danh hiệu và năm này",
                    case_id=str(previous.id),
                    status=previous.status.value,
                )
            attempt = previous.attempt + 1
        return cls._create(
            cls.Opened,
            id=case_id_for(subject_id, model, cycle_year, attempt),
            subject_id=subject_id,
            subject_kind=subject_kind.value,
            model=model.value,
            cycle_year=cycle_year,
            attempt=attempt,
            criteria_set_id=spec.set_id,
            criteria_set_code=spec.code,
            criteria_set_version=spec.version or 1,
            unit_id=unit_id,
            target_group=spec.target_group,
            level=spec.level,
            opened_on=opened_on,
            data_period_start=date(cycle_year, 1, 1),
            data_period_end=date(cycle_year, 12, 31),
            effective_date=opened_on,
        )

    # --- evidence -------------------------------------------------------------------------

    def attach_evidence(
        self,
        *,
        evidence_id: UUID,
        digest: str,
        size: int,
        media_type: str,
        kind: str,
        issuer: str,
        issued_on: date,
        indicators: Iterable[str],
        spec: CriteriaSpec,
        on: date,
        sealed: str | None = None,
    ) -> None:
        self._check_pinned(spec)
        self._check_status(
            "đính kèm minh chứng",
            S.OPENED,
            S.SELF_ASSESSED,
            S.REVIEWED,
            S.NOTICE_POSTED,
            S.NOTICE_CLOSED,
        )
        codes = list(dict.fromkeys(indicators))
        if not codes:
            raise InvalidInput("minh chứng phải gắn với ít nhất một chỉ số", field="indicators")
        for code in codes:
            indicator_of(spec, code)
        if not _DIGEST.fullmatch(digest) or size < 0:
            raise InvalidInput("mã băm SHA-256 hoặc kích thước không hợp lệ", field="digest")
        if evidence_id in self.evidence:
            raise EvidenceNotUsable("minh chứng đã tồn tại", evidence_id=str(evidence_id))
        check_process_dates(on=on)
        DOCUMENT_DATES.check(issued_on, "issued_on")
        self._check_date_after(S.OPENED, on)
        if issued_on > self.data_period[1] or issued_on > on:
            raise DateOutOfOrder(
                "ngày cấp minh chứng phải trong hoặc trước kỳ đánh giá, và không ở tương lai",
                issued_on=issued_on.isoformat(),
                data_period_end=self.data_period[1].isoformat(),
            )
        self.trigger_event(
            self.EvidenceAttached,
            evidence_id=evidence_id,
            digest=digest,
            sealed=sealed,
            size=size,
            media_type=media_type,
            kind=kind,
            issuer=issuer,
            issued_on=issued_on,
            indicators=codes,
        )

    def supersede_evidence(self, evidence_id: UUID, replaced_by: UUID | None, reason: str) -> None:
        self._check_not_decided()
        item = self.evidence.get(evidence_id)
        if item is None:  # the id named in the request's path: 404, as for any missing record
            raise NotFound("không có minh chứng này trong hồ sơ", evidence_id=str(evidence_id))
        if item.superseded:
            raise EvidenceNotUsable("minh chứng đã bị thay thế", evidence_id=str(evidence_id))
        if replaced_by is not None and replaced_by not in self.active_evidence:
            raise EvidenceNotUsable(
                "minh chứng thay thế không hợp lệ", evidence_id=str(replaced_by)
            )
        _require_reason(reason)
        self.trigger_event(
            self.EvidenceSuperseded, evidence_id=evidence_id, replaced_by=replaced_by, reason=reason
        )

    @property
    def active_evidence(self) -> dict[UUID, EvidenceItem]:
        return {k: v for k, v in self.evidence.items() if not v.superseded}

    # --- scoring --------------------------------------------------------------------------

    def self_assess(self, scores: Mapping[str, Decimal], spec: CriteriaSpec, on: date) -> None:
        self._check_pinned(spec)
        self._check_status("tự đánh giá", S.OPENED, S.SELF_ASSESSED)
        clean = checked_scores(spec, scores, complete=True)
        check_evidence_supports(spec, clean, self.active_evidence.values())
        self._check_date_after_last_step(on)
        self.trigger_event(self.SelfAssessed, scores=clean, assessed_on=on, effective_date=on)

    def review(
        self,
        scores: Mapping[str, Decimal],
        evidence_seen: Iterable[UUID],
        spec: CriteriaSpec,
        on: date,
        remarks: str | None = None,
    ) -> None:
        """Record the reviewer's scores and the exact evidence set the reviewer saw."""
        self._check_pinned(spec)
        self._check_status("thẩm định", S.SELF_ASSESSED)
        reviewer = current_context().actor_id
        if reviewer in self.self_assessors:
            raise SeparationOfDuties(
                "người thẩm định không được là người tự đánh giá", actor_id=reviewer
            )
        seen = list(dict.fromkeys(evidence_seen))
        unknown = [str(e) for e in seen if e not in self.active_evidence]
        if unknown:
            raise EvidenceNotUsable("minh chứng không có hoặc đã bị thay thế", evidence_ids=unknown)
        clean = checked_scores(spec, scores, complete=True)
        check_evidence_supports(spec, clean, [self.evidence[e] for e in seen])
        self._check_date_after_last_step(on)
        self.trigger_event(
            self.Reviewed,
            scores=clean,
            evidence_seen=seen,
            reviewed_on=on,
            remarks=remarks,
            effective_date=on,
        )

    def revise_score(
        self,
        indicator: str,
        score: Decimal,
        reason: str,
        spec: CriteriaSpec,
        on: date,
        complaint_id: UUID | None = None,
    ) -> None:
        """Change one reviewed score before appraisal, or after an upheld complaint reopened
        the case (citing that complaint); the reason is mandatory."""
        self._check_pinned(spec)
        self._check_status(
            "điều chỉnh điểm",
            S.REVIEWED,
            S.NOTICE_POSTED,
            S.NOTICE_CLOSED,
            S.COUNCIL_FORMED,
            S.REOPENED,
        )
        if (self.status is S.REOPENED) != (complaint_id is not None) or (
            complaint_id is not None and complaint_id != self.appeal_complaint_id
        ):
            raise StepOutOfOrder(
                "sau quyết định, chỉ điều chỉnh điểm khi khiếu nại về hồ sơ được chấp nhận,"
                " và phải dẫn chiếu khiếu nại đó",
                complaint_id=str(complaint_id) if complaint_id else "không dẫn chiếu",
            )
        _require_reason(reason)
        reviser = current_context().actor_id
        if reviser in self.self_assessors:
            raise SeparationOfDuties("người tự đánh giá không được điều chỉnh điểm thẩm định")
        if reviser in {seat.user_id for seat in self.council}:
            raise SeparationOfDuties(
                "thành viên hội đồng không được điều chỉnh điểm mà hội đồng xét duyệt",
                actor_id=reviser,
            )
        clean = checked_scores(spec, {indicator: score}, complete=False)
        check_evidence_supports(spec, clean, self.active_evidence.values())
        previous = self.final_scores.get(indicator, Decimal(0))
        if clean[indicator] == previous:
            raise InvalidInput("điểm mới trùng điểm hiện tại", indicator=indicator)
        self._check_date_after_last_step(on)
        self.trigger_event(
            self.ScoreRevised,
            indicator=indicator,
            previous=previous,
            score=clean[indicator],
            revised_on=on,
            complaint_id=complaint_id,
            reason=reason,
            effective_date=on,
        )

    # --- computed indicators -------------------------------------------------------------

    def record_member_share(
        self,
        *,
        indicator: str,
        numerator: int,
        denominator: int,
        log_position: int,
        spec: CriteriaSpec,
        on: date,
        under_age: int = 0,
        unknown_age: int = 0,
    ) -> None:
        """Record a member share counted from the register as of the end of the data period.

        The share is computed here from the counts, so the figure and its inputs cannot
        disagree; it may be recomputed (the latest figure counts) until the appraisal.

        When the indicator counts only members of ``min_age`` or more, ``under_age`` says
        how many members were left out as younger, and ``unknown_age`` how many of those
        counted had no readable date of birth. The rule for them: they count as of age, so
        a birth date that is missing or erased can never raise the share by dropping a
        member who does not hold the title; the figure says how many there were.
        """
        self._check_pinned(spec)
        if self.subject_kind is SubjectKind.PERSON:
            raise InvalidInput(
                "chỉ tính tỷ lệ thành viên cho một đơn vị", subject_kind=self.subject_kind.value
            )
        self._check_status(
            "ghi tỷ lệ thành viên",
            S.OPENED,
            S.SELF_ASSESSED,
            S.REVIEWED,
            S.NOTICE_POSTED,
            S.NOTICE_CLOSED,
            S.COUNCIL_FORMED,
            S.REOPENED,
        )
        item = member_share_indicator(spec, indicator)
        assert item.computed is not None  # checked by member_share_indicator
        if denominator < 1 or not 0 <= numerator <= denominator or log_position < 0:
            raise InvalidInput(
                "số thành viên, số đạt danh hiệu hoặc vị trí sổ cái không hợp lệ",
                numerator=numerator,
                denominator=denominator,
                log_position=log_position,
            )
        min_age = item.computed.min_age
        _check_age_counts(min_age, under_age, unknown_age, denominator)
        check_process_dates(on=on)
        as_of = self.data_period[1]
        if on <= as_of:
            raise DateOutOfOrder(
                "chỉ tính tỷ lệ sau khi kỳ số liệu kết thúc",
                on=on.isoformat(),
                data_period_end=as_of.isoformat(),
            )
        self._check_date_after(S.OPENED, on)
        share = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN
        )
        self.trigger_event(
            self.MemberShareComputed,
            indicator=indicator,
            title=item.computed.title.value,
            share=share,
            numerator=numerator,
            denominator=denominator,
            data_period_start=self.data_period[0],
            data_period_end=self.data_period[1],
            as_of=as_of,
            log_position=log_position,
            computed_on=on,
            min_age=min_age,
            under_age=under_age,
            unknown_age=unknown_age,
            effective_date=as_of,
        )

    # --- public notice and council -------------------------------------------------------

    def post_notice(self, posted_on: date, closes_on: date, place: str, spec: CriteriaSpec) -> None:
        self._check_pinned(spec)
        self._check_status("niêm yết", S.REVIEWED)
        check_process_dates(posted_on=posted_on, closes_on=closes_on)
        self._check_date_after_last_step(posted_on)
        days = spec.rules.notice_days
        if days is not None and (closes_on - posted_on).days < days:
            raise DateOutOfOrder(
                f"thời gian niêm yết phải đủ {days} ngày",
                posted_on=posted_on.isoformat(),
                closes_on=closes_on.isoformat(),
                notice_days=days,
            )
        if closes_on < posted_on:
            raise DateOutOfOrder("ngày kết thúc niêm yết trước ngày bắt đầu")
        self.trigger_event(
            self.NoticePosted,
            posted_on=posted_on,
            closes_on=closes_on,
            place=place,
            effective_date=posted_on,
        )

    def close_notice(self, closed_on: date, comments_received: int, summary: str | None) -> None:
        self._check_status("kết thúc niêm yết", S.NOTICE_POSTED)
        closes_on = self.notice_closes_on or closed_on
        if closed_on < closes_on:
            raise DateOutOfOrder(
                "chưa hết thời gian niêm yết",
                closes_on=closes_on.isoformat(),
                closed_on=closed_on.isoformat(),
            )
        if comments_received < 0:
            raise InvalidInput("số ý kiến không hợp lệ", field="comments_received")
        self.trigger_event(
            self.NoticeClosed,
            closed_on=closed_on,
            comments_received=comments_received,
            summary=summary,
            effective_date=closed_on,
        )

    def form_council(
        self,
        name: str,
        members: list[CouncilSeat],
        formed_on: date,
        spec: CriteriaSpec,
        conflicted: set[str],
    ) -> None:
        """``conflicted``: members whose household, clan or unit is this subject's."""
        self._check_pinned(spec)
        if spec.rules.public_notice_required:
            self._check_status("thành lập hội đồng (cần niêm yết trước)", S.NOTICE_CLOSED)
        else:
            self._check_status("thành lập hội đồng", S.REVIEWED, S.NOTICE_CLOSED)
        ids = [m.user_id for m in members]
        if not members or len(set(ids)) != len(ids):
            raise InvalidInput("hội đồng cần thành viên, không trùng lặp", field="members")
        for seat in members:
            if seat.user_id in self.self_assessors | self.revisers or seat.user_id == self.reviewer:
                raise SeparationOfDuties(
                    "thành viên hội đồng không được là người tự đánh giá hoặc thẩm định",
                    member_id=seat.user_id,
                )
            if seat.user_id in conflicted and not seat.conflict:
                raise ConflictOfInterest(
                    "thành viên có quan hệ với đối tượng phải khai báo xung đột lợi ích",
                    member_id=seat.user_id,
                )
        if all(seat.conflict for seat in members):
            raise InvalidInput("hội đồng cần ít nhất một thành viên không xung đột lợi ích")
        self._check_date_after_last_step(formed_on)
        self.trigger_event(
            self.CouncilFormed,
            name=name,
            members=[vars(m).copy() for m in members],
            formed_on=formed_on,
            effective_date=formed_on,
        )

    def declare_conflict(self, member_id: str, reason: str) -> None:
        self._check_status("khai báo xung đột lợi ích", S.COUNCIL_FORMED)
        _require_reason(reason)
        if member_id not in {s.user_id for s in self.council}:
            raise InvalidInput("không phải thành viên hội đồng", member_id=member_id)
        self.trigger_event(self.ConflictDeclared, member_id=member_id, reason=reason)

    def appraise(
        self,
        *,
        recommended: bool,
        votes_for: int,
        votes_against: int,
        remarks: str | None,
        spec: CriteriaSpec,
        on: date,
        actor_conflicted: bool,
    ) -> Verdict:
        """The council's appraisal, recorded by one of its voting members."""
        self._check_pinned(spec)
        self._check_status("xét duyệt", S.COUNCIL_FORMED)
        actor = current_context().actor_id
        voting = [s for s in self.council if not s.conflict]
        if actor_conflicted or actor in {s.user_id for s in self.council if s.conflict}:
            raise ConflictOfInterest("người có xung đột lợi ích không được xét duyệt")
        if actor not in {s.user_id for s in voting}:
            raise SeparationOfDuties("chỉ thành viên hội đồng được ghi kết quả xét duyệt")
        if votes_for < 0 or votes_against < 0 or votes_for + votes_against > len(voting):
            raise InvalidInput(
                "số phiếu vượt quá số thành viên được biểu quyết", voting_members=len(voting)
            )
        if recommended != (votes_for > votes_against):
            raise InvalidInput(
                "kết luận của hội đồng phải theo đa số phiếu",
                recommended=recommended,
                votes_for=votes_for,
                votes_against=votes_against,
            )
        verdict = evaluate(spec, self.scores)
        if recommended and not verdict.passed:
            raise ThresholdNotMet(
                "không thể đề nghị công nhận khi chưa đạt ngưỡng của bộ tiêu chí",
                total=str(verdict.total),
                failures=[vars(c) for c in verdict.failures],
            )
        self._check_date_after_last_step(on)
        self.trigger_event(
            self.Appraised,
            recommended=recommended,
            total=verdict.total,
            classification=verdict.band.code if verdict.band else None,
            thresholds_passed=verdict.passed,
            votes_for=votes_for,
            votes_against=votes_against,
            appraised_on=on,
            remarks=remarks,
            level=verdict.level.number if verdict.level else None,
            effective_date=on,
        )
        return verdict

    # --- decision (called by domain.decision) --------------------------------------------

    @property
    def participants(self) -> set[str]:
        """Everyone who assessed, reviewed, revised or sat on the council."""
        people = self.self_assessors | self.revisers | ({self.reviewer} if self.reviewer else set())
        return people | {s.user_id for s in self.council}

    def check_decidable(self) -> None:
        self._check_status("ra quyết định", S.APPRAISED)

    def check_date_not_before_appraisal(self, on: date) -> None:
        self._check_date_after_last_step(on)

    @property
    def scores(self) -> dict[str, Decimal]:
        """Every figure the rules are applied to: the final scores and the computed ones."""
        return self.final_scores | self.computed_scores

    def verdict(self, spec: CriteriaSpec) -> Verdict:
        self._check_pinned(spec)
        return evaluate(spec, self.scores)

    def reopen_on_appeal(self, complaint_id: UUID, on: date) -> None:
        """An upheld complaint reopens a decided case for revision and a new decision."""
        self._check_status("xem xét lại theo khiếu nại", S.GRANTED, S.REFUSED, S.REVOKED)
        self._check_date_after_last_step(on)
        self.trigger_event(
            self.ReopenedOnAppeal, complaint_id=complaint_id, reopened_on=on, effective_date=on
        )

    @property
    def decided(self) -> bool:
        return self.status in (S.GRANTED, S.REFUSED, S.REVOKED)

    def title_lapsed_by(self, today: date) -> bool:
        """Is this a granted title whose validity ended before ``today``, not yet recorded?"""
        return (
            self.status is S.GRANTED
            and self.valid_until is not None
            and self.valid_until < today
            and self.expired_on is None
        )

    def expire_title(self, today: date) -> None:
        """Record that the title's validity ended (the day after ``valid_until``)."""
        self._check_status("ghi nhận hết hiệu lực", S.GRANTED)
        if not self.title_lapsed_by(today):
            raise RuleViolation(
                "danh hiệu chưa hết hiệu lực hoặc đã ghi nhận hết hiệu lực",
                valid_until=str(self.valid_until),
                expired_on=str(self.expired_on) if self.expired_on else "chưa ghi nhận",
            )
        assert self.valid_until is not None
        expired_on = self.valid_until + timedelta(days=1)
        self.trigger_event(
            self.TitleExpired,
            expired_on=expired_on,
            effective_date=expired_on,
            reason="hết thời hạn hiệu lực của danh hiệu",
        )

    def withdraw(self, reason: str, on: date) -> None:
        self._check_not_decided()
        _require_reason(reason)
        self._check_date_after_last_step(on)
        self.trigger_event(self.Withdrawn, withdrawn_on=on, reason=reason, effective_date=on)

    # --- guards ---------------------------------------------------------------------------

    def _check_status(self, step: str, *allowed: CaseStatus) -> None:
        if self.status not in allowed:
            raise StepOutOfOrder(
                f"không thể {step} khi hồ sơ ở trạng thái '{self.status.value}'",
                status=self.status.value,
                allowed=[a.value for a in allowed],
            )

    def _check_not_decided(self) -> None:
        self._check_status(
            "thay đổi hồ sơ",
            S.OPENED,
            S.SELF_ASSESSED,
            S.REVIEWED,
            S.NOTICE_POSTED,
            S.NOTICE_CLOSED,
            S.COUNCIL_FORMED,
            S.APPRAISED,
        )

    def _check_pinned(self, spec: CriteriaSpec) -> None:
        if spec.set_id != self.criteria_set_id:
            raise WrongCriteriaSet(
                "hồ sơ được đánh giá theo phiên bản bộ tiêu chí đã ghim khi mở",
                pinned=str(self.criteria_set_id),
                given=str(spec.set_id),
            )

    def _check_date_after(self, step: CaseStatus, on: date) -> None:
        if on < self.step_dates[step]:
            raise DateOutOfOrder(
                "ngày này không được trước ngày mở hồ sơ",
                on=on.isoformat(),
                opened_on=self.step_dates[step].isoformat(),
            )

    def _check_date_after_last_step(self, on: date) -> None:
        latest = max(self.step_dates.values())
        if on < latest:
            raise DateOutOfOrder(
                "ngày của bước này không được trước bước trước đó",
                on=on.isoformat(),
                previous_step_on=latest.isoformat(),
            )


def member_share_indicator(spec: CriteriaSpec, code: str) -> Indicator:
    """The indicator ``code`` if the ledger computes it as a member share, else a refusal."""
    item = indicator_of(spec, code)
    if item.computed is None or item.computed.measure != "member_share":
        raise NotComputedIndicator(
            f"chỉ số {code} không phải chỉ số tỷ lệ thành viên được tính", indicator=code
        )
    return item


def _check_age_counts(min_age: int | None, under_age: int, unknown_age: int, counted: int) -> None:
    """Age counts only with an age filter, and none larger than it can be."""
    if min_age is None:
        if under_age or unknown_age:
            raise InvalidInput(
                "chỉ số không lọc theo tuổi: không ghi số thành viên chưa đủ hoặc không rõ tuổi",
                under_age=under_age,
                unknown_age=unknown_age,
            )
    elif under_age < 0 or not 0 <= unknown_age <= counted:
        raise InvalidInput(
            "số thành viên chưa đủ tuổi hoặc không rõ tuổi không hợp lệ",
            min_age=min_age,
            under_age=under_age,
            unknown_age=unknown_age,
            denominator=counted,
        )


def _require_reason(reason: str | None) -> None:
    if reason is None or not reason.strip():
        raise ReasonRequired("cần nêu lý do")
