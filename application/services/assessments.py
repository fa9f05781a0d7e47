"""Assessment commands: open a case, attach evidence, score, notice, council, decision."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from application.adapters.blobs import PersonalFiles
from application.adapters.media import sniff
from application.adapters.read_models import ReadModels
from application.adapters.vault import PersonalDataVault
from application.services.criteria import CriteriaService
from application.services.member_shares import AgeFilter, count_member_share
from application.services.records import Recorded, Records
from application.services.scope import Scopes
from domain.access import UserAccount
from domain.assessment import (
    AssessmentCase,
    CouncilSeat,
    case_id_for,
    member_share_indicator,
)
from domain.base import CommandContext, acting
from domain.dates import iso_day
from domain.errors import (
    CouncilSeatNotEligible,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from domain.glossary import Role, SubjectKind, TitleModel
from domain.registry import Person
from domain.text import nfc


@dataclass(frozen=True)
class SeatRequest:
    user_id: UUID
    role: str = "member"
    conflict: str | None = None


#: Records personal-data reads in the reader's trail: ``(kind, record id)`` pairs and a note
#: (``AccessService.record_views``).
ReadTrailWriter = Callable[[CommandContext, Sequence[tuple[str, object]], str | None], None]


@dataclass(frozen=True)
class AssessmentService:
    """A case from opening to the council's appraisal: evidence, scores, notice, council."""

    records: Records
    scopes: Scopes
    criteria: CriteriaService
    files: PersonalFiles
    max_upload_bytes: int
    vault: PersonalDataVault
    read_trail: ReadTrailWriter

    def latest_case(
        self, subject_id: UUID, model: TitleModel, cycle_year: int
    ) -> AssessmentCase | None:
        """The latest attempt for (subject, title, cycle year), if there is one."""
        latest, attempt = None, 1
        while found := self.records.find(
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
        target_group: str | None = None,
        also: Sequence[Aggregate] = (),
    ) -> Recorded:
        """``target_group`` picks among sets for units and collectives (e.g. the level sets
        for district units); a person's group is their own, and naming another is refused.
        ``also`` (an import's record of the row) is saved in the same transaction."""
        subject = self.scopes.subject_for(ctx, subject_id)  # scope first: refusals reveal nothing
        opened_on = self.records.step_day(on)
        if isinstance(subject, Person):
            kind, group = SubjectKind.PERSON, subject.target_group
            if target_group is not None and target_group != group:
                raise InvalidInput(
                    "nhóm đối tượng khác nhóm đã đăng ký của người này", field="target_group"
                )
        else:
            kind, group = subject.kind, target_group
        spec = self.criteria.spec_in_force(model, group, level, opened_on)
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
            return self.records.save(case, *also)

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
        if len(content) > self.max_upload_bytes:
            raise InvalidInput(
                "tệp minh chứng quá lớn",
                max_bytes=self.max_upload_bytes,
                size=len(content),
            )
        media_type = sniff(content)
        evidence_id = uuid4()
        with acting(ctx):
            case = self.scopes.case_for(ctx, case_id, expected_version)
            with self.files.kept_if_recorded(case.subject_id, [content]) as (stored,):
                case.attach_evidence(
                    evidence_id=evidence_id,
                    digest=stored.address,
                    sealed=stored.sealed,
                    size=len(content),
                    media_type=media_type,
                    kind=nfc(kind),
                    issuer=nfc(issuer),
                    issued_on=issued_on,
                    indicators=[nfc(i) for i in indicators],
                    spec=self.criteria.spec_of(case),
                    on=self.records.today(),
                )
                return self.records.save(case), evidence_id

    def read_evidence(
        self, ctx: CommandContext, case_id: UUID, evidence_id: UUID
    ) -> tuple[bytes, str]:
        """The file's bytes, checked against the digest in the log, and its media type."""
        case = self.scopes.case_for(ctx, case_id, reading=True)
        self.scopes.require_file_reader(ctx, case.subject_id)
        item = case.evidence.get(evidence_id)
        if item is None:
            raise NotFound("không có minh chứng này trong hồ sơ", evidence_id=str(evidence_id))
        return self.files.read(case.subject_id, item.digest, item.sealed), item.media_type

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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.supersede_evidence(evidence_id, replaced_by, nfc(reason))
            return self.records.save(case)

    def self_assess(
        self,
        ctx: CommandContext,
        case_id: UUID,
        scores: Mapping[str, Decimal],
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.self_assess(scores, self.criteria.spec_of(case), self.records.step_day(on))
            return self.records.save(case)

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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            seen = list(case.active_evidence) if evidence_seen is None else evidence_seen
            case.review(
                scores, seen, self.criteria.spec_of(case), self.records.step_day(on), nfc(remarks)
            )
            return self.records.save(case)

    def expire_titles(
        self, ctx: CommandContext, case_ids: Iterable[UUID], today: date | None = None
    ) -> list[Recorded]:
        """Record the expiry of each granted title whose validity ended before ``today``
        (a scheduled job; cases that are not lapsed, or changed meanwhile, are skipped and
        looked at again next time)."""
        day = today or self.records.today()
        done = []
        with acting(ctx):
            for case_id in case_ids:
                case = self.scopes.case_for(ctx, case_id)
                if not case.title_lapsed_by(day):
                    continue
                case.expire_title(day)
                try:
                    done.append(self.records.save(case))
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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.revise_score(
                indicator,
                score,
                nfc(reason),
                self.criteria.spec_of(case),
                self.records.step_day(on),
                complaint_id,
            )
            return self.records.save(case)

    def compute_member_share(
        self,
        ctx: CommandContext,
        models: ReadModels,
        case_id: UUID,
        indicator: str,
        wait_seconds: float,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Count the unit's members holding the indicator's title at the end of the data
        period, from the register at one log position, and record the figure in the case."""
        with acting(ctx):
            case = self.scopes.case_for(ctx, case_id, expected_version)
            spec = self.criteria.spec_of(case)
            computed = member_share_indicator(spec, indicator).computed
            assert computed is not None  # a member-share indicator says what it counts
            if case.subject_kind is SubjectKind.PERSON:
                raise InvalidInput("chỉ tính tỷ lệ thành viên cho một đơn vị", case_id=str(case_id))
            ages = None
            if computed.min_age is not None:
                ages = AgeFilter(
                    computed.min_age,
                    lambda members: self._birth_dates(ctx, case_id, indicator, members),
                )
            share = count_member_share(
                models,
                lambda: self.records.history(case.subject_id),
                computed.title,
                case.data_period[1],
                wait_seconds,
                ages,
            )
            if share.denominator == 0:
                ages_asked = {"min_age": computed.min_age, "under_age": share.under_age}
                raise InvalidInput(
                    "đơn vị không có thành viên vào ngày cuối kỳ số liệu"
                    if computed.min_age is None
                    else f"đơn vị không có thành viên từ đủ {computed.min_age} tuổi trở lên"
                    " vào ngày cuối kỳ số liệu",
                    subject_id=str(case.subject_id),
                    as_of=case.data_period[1].isoformat(),
                    **(ages_asked if computed.min_age is not None else {}),
                )
            case.record_member_share(
                indicator=indicator,
                numerator=share.numerator,
                denominator=share.denominator,
                log_position=share.log_position,
                spec=spec,
                on=self.records.step_day(on),
                under_age=share.under_age,
                unknown_age=share.unknown_age,
            )
            return self.records.save(case)

    def _birth_dates(
        self, ctx: CommandContext, case_id: UUID, indicator: str, members: Collection[UUID]
    ) -> dict[UUID, date | None]:
        """The members' dates of birth, unsealed here and nowhere stored: None for a member
        with none on record, erased, or not a registered person. Each read is recorded in the
        reader's trail (kind "person"), as reading a person's record is."""
        loaded = self.records.load_all(sorted(members))
        born: dict[UUID, date | None] = {}
        for member in members:
            person = loaded.get(member)
            fields = None
            if isinstance(person, Person) and not person.erased:
                fields = self.vault.unseal(person.id, person.sealed)
            raw = (fields or {}).get("birth_date")
            born[member] = iso_day(raw) if raw else None
        self.read_trail(
            ctx,
            [("person", member) for member in sorted(members)],
            f"ngày sinh: chỉ số {indicator} hồ sơ {case_id}",
        )
        return born

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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.post_notice(
                self.records.step_day(posted_on), closes_on, nfc(place), self.criteria.spec_of(case)
            )
            return self.records.save(case)

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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.close_notice(self.records.step_day(closed_on), comments_received, nfc(summary))
            return self.records.save(case)

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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            subject_circle = self.scopes.subject_circle(case.subject_id)
            conflicted = {
                str(m.user_id)
                for m in members
                if self.scopes.user_circle(m.user_id) & subject_circle
            }
            for member in members:  # NotFound for an unknown member
                self._require_council_seat(case, self.records.get(UserAccount, member.user_id))
            seats = [CouncilSeat(str(m.user_id), nfc(m.role), nfc(m.conflict)) for m in members]
            case.form_council(
                nfc(name),
                seats,
                self.records.step_day(formed_on),
                self.criteria.spec_of(case),
                conflicted,
            )
            return self.records.save(case)

    def _require_council_seat(self, case: AssessmentCase, user: UserAccount) -> None:
        """A seat goes to an active account holding the council role in the case's unit or a
        unit above it (an account with no unit sits above every unit)."""
        if (
            user.active
            and Role.COUNCIL_MEMBER in user.roles
            and (user.unit_id is None or self.scopes.unit_covers(user.unit_id, case.unit_id))
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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.declare_conflict(str(member_id), nfc(reason))
            return self.records.save(case)

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
            case = self.scopes.case_for(ctx, case_id, expected_version)
            conflicted = bool(
                self.scopes.user_circle(UUID(ctx.actor_id))
                & self.scopes.subject_circle(case.subject_id)
            )
            case.appraise(
                recommended=recommended,
                votes_for=votes_for,
                votes_against=votes_against,
                remarks=nfc(remarks),
                spec=self.criteria.spec_of(case),
                on=self.records.step_day(on),
                actor_conflicted=conflicted,
            )
            return self.records.save(case)

    def withdraw_case(
        self,
        ctx: CommandContext,
        case_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            case = self.scopes.case_for(ctx, case_id, expected_version)
            case.withdraw(nfc(reason), self.records.today())
            return self.records.save(case)
