"""Assessment commands: open a case, attach evidence, score, notice, council, decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from application.core import Recorded
from application.criteria_service import CriteriaService
from application.media import sniff
from application.registry_service import RegistryService
from domain.access import UserAccount
from domain.assessment import AssessmentCase, CouncilSeat, case_id_for
from domain.base import CommandContext, acting
from domain.criteria import CriteriaSpec
from domain.decision import RecognitionDecision, Ruling, issue_decision
from domain.errors import (
    CouncilSeatNotEligible,
    DateOutOfOrder,
    EvidenceNotUsable,
    InvalidInput,
    OutOfScope,
    VersionConflict,
)
from domain.glossary import DecisionOutcome, Role, SubjectKind, TitleModel
from domain.registry import AdministrativeUnit, Person
from domain.text import nfc


@dataclass(frozen=True)
class RulingRequest:
    case_id: UUID
    outcome: DecisionOutcome
    reason: str | None = None


@dataclass(frozen=True)
class SeatRequest:
    user_id: UUID
    role: str = "member"
    conflict: str | None = None


class AssessmentService(RegistryService, CriteriaService):
    def _day(self, on: date | None) -> date:
        """The date of a step: today unless given; never a day that has not come yet."""
        today = self.today()
        if on is not None and on > today:
            raise DateOutOfOrder(
                "ngày của bước không được ở tương lai", on=on.isoformat(), today=today.isoformat()
            )
        return on or today

    def spec_of(self, case: AssessmentCase) -> CriteriaSpec:
        """The criteria-set version the case was pinned to when it was opened.

        A published version never changes, so its spec is kept in memory once read: every
        scoring command needs it, and reloading it cost a read per command."""
        specs: dict[UUID, CriteriaSpec] = self.__dict__.setdefault("_published_specs", {})
        spec = specs.get(case.criteria_set_id)
        if spec is None:
            spec = specs[case.criteria_set_id] = self.criteria_set(case.criteria_set_id).spec
        return spec

    def latest_case(
        self, subject_id: UUID, model: TitleModel, cycle_year: int
    ) -> AssessmentCase | None:
        """The latest attempt for (subject, title, cycle year), if there is one."""
        latest, attempt = None, 1
        while found := self.find(
            AssessmentCase, case_id_for(subject_id, model, cycle_year, attempt)
        ):
            latest, attempt = found, attempt + 1
        return latest

    def open_case(
        self,
        ctx: CommandContext,
        subject_id: UUID,
        model: TitleModel,
        cycle_year: int,
        on: date | None = None,
        level: int | None = None,
    ) -> Recorded:
        subject = self.subject_for(ctx, subject_id)  # scope first: refusals reveal nothing
        opened_on = self._day(on)
        if isinstance(subject, Person):
            kind, group = SubjectKind.PERSON, subject.target_group
        else:
            kind, group = subject.kind, None
        spec = self.spec_in_force(model, group, level, opened_on)
        with acting(ctx):
            case = AssessmentCase.open(
                subject_id=subject.id,
                subject_kind=kind,
                unit_id=subject.unit_id,
                model=model,
                cycle_year=cycle_year,
                spec=spec,
                opened_on=opened_on,
                previous=self.latest_case(subject_id, model, cycle_year),
            )
            return self.save(case)

    def attach_evidence(
        self,
        ctx: CommandContext,
        case_id: UUID,
        *,
        content: bytes,
        kind: str,
        issuer: str,
        issued_on: date,
        indicators: list[str],
        expected_version: int | None = None,
    ) -> tuple[Recorded, UUID]:
        """Store the file content-addressed and record its digest on the case (the file is
        removed again if the case refuses it)."""
        if len(content) > self.settings.max_upload_bytes:
            raise InvalidInput(
                "tệp minh chứng quá lớn",
                max_bytes=self.settings.max_upload_bytes,
                size=len(content),
            )
        media_type = sniff(content)
        evidence_id = uuid4()
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            with self.blobs.kept_if_recorded([content]) as (digest,):
                case.attach_evidence(
                    evidence_id=evidence_id,
                    digest=digest,
                    size=len(content),
                    media_type=media_type,
                    kind=nfc(kind),
                    issuer=nfc(issuer),
                    issued_on=issued_on,
                    indicators=[nfc(i) for i in indicators],
                    spec=self.spec_of(case),
                    on=self.today(),
                )
                return self.save(case), evidence_id

    def read_evidence(
        self, ctx: CommandContext, case_id: UUID, evidence_id: UUID
    ) -> tuple[bytes, str]:
        """The file's bytes, checked against the digest in the log, and its media type."""
        case = self.case_for(ctx, case_id, reading=True)
        item = case.evidence.get(evidence_id)
        if item is None:
            raise EvidenceNotUsable(
                "không có minh chứng này trong hồ sơ", evidence_id=str(evidence_id)
            )
        return self.blobs.get(item.digest), item.media_type

    def supersede_evidence(
        self,
        ctx: CommandContext,
        case_id: UUID,
        evidence_id: UUID,
        replaced_by: UUID | None,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.supersede_evidence(evidence_id, replaced_by, nfc(reason))
            return self.save(case)

    def self_assess(
        self,
        ctx: CommandContext,
        case_id: UUID,
        scores: Mapping[str, Decimal],
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.self_assess(scores, self.spec_of(case), self._day(on))
            return self.save(case)

    def review(
        self,
        ctx: CommandContext,
        case_id: UUID,
        scores: Mapping[str, Decimal],
        evidence_seen: list[UUID] | None = None,
        remarks: str | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """``evidence_seen`` defaults to every evidence item active at the time of review."""
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            seen = list(case.active_evidence) if evidence_seen is None else evidence_seen
            case.review(scores, seen, self.spec_of(case), self._day(on), nfc(remarks))
            return self.save(case)

    def expire_titles(
        self, ctx: CommandContext, case_ids: Iterable[UUID], today: date | None = None
    ) -> list[Recorded]:
        """Record the expiry of each granted title whose validity ended before ``today``
        (a scheduled job; cases that are not lapsed, or changed meanwhile, are skipped and
        looked at again next time)."""
        day = today or self.today()
        done = []
        with acting(ctx):
            for case_id in case_ids:
                case = self.case_for(ctx, case_id)
                if not case.title_lapsed_by(day):
                    continue
                case.expire_title(day)
                try:
                    done.append(self.save(case))
                except VersionConflict:
                    continue
        return done

    def revise_score(
        self,
        ctx: CommandContext,
        case_id: UUID,
        indicator: str,
        score: Decimal,
        reason: str,
        on: date | None = None,
        expected_version: int | None = None,
        complaint_id: UUID | None = None,
    ) -> Recorded:
        """Revise one score; after a decision, only citing the upheld complaint that reopened it."""
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.revise_score(
                indicator, score, nfc(reason), self.spec_of(case), self._day(on), complaint_id
            )
            return self.save(case)

    def post_notice(
        self,
        ctx: CommandContext,
        case_id: UUID,
        posted_on: date,
        closes_on: date,
        place: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.post_notice(self._day(posted_on), closes_on, nfc(place), self.spec_of(case))
            return self.save(case)

    def close_notice(
        self,
        ctx: CommandContext,
        case_id: UUID,
        closed_on: date,
        comments_received: int,
        summary: str | None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.close_notice(self._day(closed_on), comments_received, nfc(summary))
            return self.save(case)

    def form_council(
        self,
        ctx: CommandContext,
        case_id: UUID,
        name: str,
        members: list[SeatRequest],
        formed_on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            subject_circle = self.subject_circle(case.subject_id)
            conflicted = {
                str(m.user_id) for m in members if self.user_circle(m.user_id) & subject_circle
            }
            for member in members:  # NotFound for an unknown member
                self._require_council_seat(case, self.get(UserAccount, member.user_id))
            seats = [CouncilSeat(str(m.user_id), nfc(m.role), nfc(m.conflict)) for m in members]
            case.form_council(
                nfc(name), seats, self._day(formed_on), self.spec_of(case), conflicted
            )
            return self.save(case)

    def _require_council_seat(self, case: AssessmentCase, user: UserAccount) -> None:
        """A seat goes to an active account holding the council role in the case's unit or a
        unit above it (an account with no unit sits above every unit)."""
        if (
            user.active
            and Role.COUNCIL_MEMBER in user.roles
            and (user.unit_id is None or self.unit_covers(user.unit_id, case.unit_id))
        ):
            return
        raise CouncilSeatNotEligible(
            f"tài khoản {user.id} không thể ngồi hội đồng: cần vai trò thành viên hội đồng"
            " ở đơn vị của hồ sơ hoặc đơn vị cấp trên",
            member_id=str(user.id),
            required_role=Role.COUNCIL_MEMBER.value,
        )

    def declare_conflict(
        self,
        ctx: CommandContext,
        case_id: UUID,
        member_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.declare_conflict(str(member_id), nfc(reason))
            return self.save(case)

    def appraise(
        self,
        ctx: CommandContext,
        case_id: UUID,
        *,
        recommended: bool,
        votes_for: int,
        votes_against: int,
        remarks: str | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            conflicted = bool(
                self.user_circle(UUID(ctx.actor_id)) & self.subject_circle(case.subject_id)
            )
            case.appraise(
                recommended=recommended,
                votes_for=votes_for,
                votes_against=votes_against,
                remarks=nfc(remarks),
                spec=self.spec_of(case),
                on=self._day(on),
                actor_conflicted=conflicted,
            )
            return self.save(case)

    def issue_decision(
        self,
        ctx: CommandContext,
        *,
        number: str,
        decided_on: date,
        signer_title: str,
        authority_name: str,
        authority_unit_id: UUID,
        legal_basis: str,
        rulings: list[RulingRequest],
        amends: UUID | None = None,
    ) -> Recorded:
        """Issue the decision and record each case's grant or refusal in one transaction."""
        scope = self.require_unit(ctx, authority_unit_id)
        day = self._day(decided_on)
        with acting(ctx):
            cases = [self.case_for(ctx, r.case_id, scope=scope) for r in rulings]
            outside = {
                c.id for c in cases if not self.unit_covers(authority_unit_id, c.unit_id, day)
            }
            signer_circle = self.user_circle(UUID(ctx.actor_id))
            conflicts = {
                c.subject_id for c in cases if self.subject_circle(c.subject_id) & signer_circle
            }
            decision = issue_decision(
                number=nfc(number.strip()),
                decided_on=day,
                signer_id=ctx.actor_id,
                signer_title=nfc(signer_title),
                authority_name=nfc(authority_name),
                authority_unit=self.get(AdministrativeUnit, authority_unit_id),
                legal_basis=nfc(legal_basis),
                rulings=[
                    Ruling(case, self.spec_of(case), r.outcome, nfc(r.reason))
                    for case, r in zip(cases, rulings, strict=True)
                ],
                signer_conflicts=conflicts,
                outside_territory=outside,
                amends=self.get(RecognitionDecision, amends) if amends else None,
            )
            return self.save(decision, *cases)

    def decision(self, decision_id: UUID) -> RecognitionDecision:
        return self.get(RecognitionDecision, decision_id)

    def decision_for(self, ctx: CommandContext, decision_id: UUID) -> RecognitionDecision:
        """A decision, for readers in the authority's unit or whose own case it decided."""
        decision = self.get(RecognitionDecision, decision_id)
        scope = self.scope(ctx)
        subjects = {UUID(str(e["subject_id"])) for e in decision.entries}
        if not (self.reaches_unit(scope, decision.authority_unit_id) or subjects & scope.circle):
            raise OutOfScope(
                "quyết định này nằm ngoài phạm vi của bạn", decision_id=str(decision_id)
            )
        return decision

    def withdraw_case(
        self,
        ctx: CommandContext,
        case_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.case_for(ctx, case_id, expected_version)
            case.withdraw(nfc(reason), self.today())
            return self.save(case)
