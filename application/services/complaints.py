"""Complaint commands: receive, accept or refuse, assign, resolve, escalate, lawsuit.

An upheld complaint reopens the cases it concerns in the same transaction, so their scores
can be revised citing it and an amending decision can grant or revoke the title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from application.adapters.blobs import PersonalFiles
from application.adapters.media import sniff
from application.adapters.vault import PersonalDataVault
from application.services.criteria import CriteriaService
from application.services.records import Recorded, Records, check_version
from application.services.scope import Scope, Scopes
from domain.access import UserAccount
from domain.assessment import AssessmentCase
from domain.base import CommandContext, acting
from domain.clocks import ClockRules, Obstacle
from domain.complaints import Complaint
from domain.errors import InvalidInput, NotFound, OutOfScope, WrongLevel
from domain.glossary import ComplaintOutcome
from domain.rules import COMPLAINT_CLOCKS, RuleDocument
from domain.text import nfc


@dataclass(frozen=True)
class Attachment:
    content: bytes
    kind: str


@dataclass(frozen=True)
class ComplaintService:
    """Complaints under the Law on Complaints, on the clocks published when each was filed."""

    records: Records
    scopes: Scopes
    criteria: CriteriaService
    vault: PersonalDataVault
    files: PersonalFiles
    max_upload_bytes: int

    def complaint(self, complaint_id: UUID) -> Complaint:
        return self.records.get(Complaint, complaint_id)

    def complaint_for(
        self,
        ctx: CommandContext,
        complaint_id: UUID,
        expected_version: int | None = None,
        *,
        reading: bool = False,
    ) -> Complaint:
        """A complaint the actor may reach: through its cases' unit, or as the complainant."""
        complaint = self.records.get(Complaint, complaint_id)
        scope = self.scopes.scope(ctx)
        try:
            for case_id in complaint.case_ids:
                self.scopes.case_for(ctx, case_id, reading=reading, scope=scope)
        except OutOfScope as refused:  # name the complaint only, not the cases behind it
            raise OutOfScope(refused.message, complaint_id=str(complaint_id)) from None
        check_version(complaint, expected_version)
        return complaint

    def clocks_of(self, complaint: Complaint) -> ClockRules:
        """The clock rules pinned when the complaint was received."""
        return self.records.get(RuleDocument, complaint.rules_id).clocks

    def file_complaint(
        self,
        ctx: CommandContext,
        *,
        case_ids: list[UUID],
        grounds: str,
        learnt_on: date,
        decision_id: UUID | None = None,
        step: str | None = None,
        received_on: date | None = None,
        remote_area: bool = False,
        obstacles: list[Obstacle] | None = None,
        attachments: list[Attachment] | None = None,
        previous_complaint_id: UUID | None = None,
    ) -> Recorded:
        """Receive a complaint from the subject of the cases (or their representative).

        ``received_on`` starts the authority's clocks and ends the complainant's, so the party
        the clock runs against never chooses it: it is today, unless a receiving officer
        records the earlier day a paper complaint reached them (see :meth:`_receipt_day`).
        """
        if not grounds.strip():
            raise InvalidInput("cần nêu nội dung khiếu nại", field="grounds")
        scope = self.scopes.scope(ctx)
        cases = [self.scopes.case_for(ctx, case_id, scope=scope) for case_id in case_ids]
        subjects = {case.subject_id for case in cases}
        if len(subjects) != 1:
            raise InvalidInput("một khiếu nại chỉ về hồ sơ của một đối tượng", field="case_ids")
        complainant = subjects.pop()
        receipt_day = self._receipt_day(scope, complainant, received_on)
        if decision_id is not None and any(c.decision_id != decision_id for c in cases):
            raise InvalidInput("hồ sơ không thuộc quyết định bị khiếu nại", field="decision_id")
        rules_document = self.criteria.latest_rules(COMPLAINT_CLOCKS)
        if rules_document is None:
            raise NotFound("chưa công bố thời hạn khiếu nại")
        files = attachments or []
        described = [self._describe_attachment(a) for a in files]
        complaint_id = uuid4()
        previous = self.complaint_for(ctx, previous_complaint_id) if previous_complaint_id else None
        contents = [a.content for a in files]
        with acting(ctx), self.files.kept_if_recorded(complainant, contents) as kept:
            stored = [
                {"digest": file.address, "sealed": file.sealed, **about}
                for file, about in zip(kept, described, strict=True)
            ]
            complaint = Complaint.receive(
                complaint_id=complaint_id,
                rules=rules_document.clocks,
                rules_id=rules_document.id,
                decision_id=decision_id,
                case_ids=[c.id for c in cases],
                unit_ids=[c.unit_id for c in cases],
                step=nfc(step),
                complainant_id=complainant,
                sealed_grounds=self.vault.seal(complainant, {"grounds": nfc(grounds)}),
                learnt_on=learnt_on,
                received_on=receipt_day,
                remote_area=remote_area,
                obstacles=obstacles or [],
                attachments=stored,
                previous=previous,
            )
            if previous is None:
                return self.records.save(complaint)
            previous.escalate(complaint)
            return self.records.save(complaint, previous)

    def _receipt_day(self, scope: Scope, complainant: UUID, received_on: date | None) -> date:
        """Today; or, recorded by a receiving officer, the earlier day the complaint arrived.

        A citizen (for themself or their household), or an officer whose own circle the
        complaint is about, is the party the filing clock runs against: refused (422).
        """
        if received_on is None:
            return self.records.today()
        if not scope.by_unit or complainant in scope.circle:
            raise InvalidInput(
                "received_on: ngày nhận đơn do cán bộ tiếp nhận ghi, người khiếu nại không tự chọn",
                field="received_on",
            )
        return self.records.step_day(received_on)

    def _describe_attachment(self, attachment: Attachment) -> dict[str, object]:
        if len(attachment.content) > self.max_upload_bytes:
            raise InvalidInput("tệp đính kèm quá lớn", max_bytes=self.max_upload_bytes)
        media_type = sniff(attachment.content)
        return {
            "size": len(attachment.content),
            "media_type": media_type,
            "kind": nfc(attachment.kind),
        }

    def grounds_of(self, complaint: Complaint) -> str | None:
        sealed = self.vault.unseal(complaint.complainant_id, complaint.sealed_grounds)
        return sealed.get("grounds") if sealed else None

    def accept_complaint(
        self,
        ctx: CommandContext,
        complaint_id: UUID,
        accepted_on: date | None,
        complex_case: bool,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            complaint = self.complaint_for(ctx, complaint_id, expected_version)
            first = self._check_level_above(complaint, ctx.actor_id)
            complaint.accept(
                self.clocks_of(complaint),
                self.records.step_day(accepted_on),
                complex_case,
                first=first,
            )
            return self.records.save(complaint)

    def refuse_complaint(
        self,
        ctx: CommandContext,
        complaint_id: UUID,
        decided_on: date | None,
        rule: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            complaint = self.complaint_for(ctx, complaint_id, expected_version)
            first = self._check_level_above(complaint, ctx.actor_id)
            complaint.refuse_to_accept(
                self.records.step_day(decided_on), nfc(rule), nfc(reason), first=first
            )
            return self.records.save(complaint)

    def assign_complaint(
        self,
        ctx: CommandContext,
        complaint_id: UUID,
        handler_id: UUID,
        expected_version: int | None = None,
    ) -> Recorded:
        self.records.get(UserAccount, handler_id)  # NotFound for an unknown handler
        with acting(ctx):
            complaint = self.complaint_for(ctx, complaint_id, expected_version)
            self._check_level_above(complaint, ctx.actor_id)
            first = self._check_level_above(complaint, str(handler_id))
            complaint.assign_handler(str(handler_id), first=first)
            return self.records.save(complaint)

    def _check_level_above(self, complaint: Complaint, actor_id: str) -> Complaint | None:
        """A second complaint is for the level above the authority that resolved the first
        (Luật Khiếu nại 2011, Điều 7 khoản 2 and Điều 33), never for anyone who handled it:
        refuse ``actor_id`` (who acts, or who is named to resolve) otherwise, ``same-handler``
        (409) for one who handled the first, ``wrong-level`` (403) for an account whose unit
        is not above the first's. Returns the first complaint of a second one, ``None`` for a
        first complaint.

        The first authority is the unit of the account that resolved the first complaint, or,
        if nobody was named, the units of its cases. The console and accounts with no unit act
        nationwide, above every unit."""
        if complaint.level != 2 or complaint.previous_complaint_id is None:
            return None
        first = self.records.get(Complaint, complaint.previous_complaint_id)
        complaint.check_not_handled_by(first, actor_id)
        account = self._account(actor_id)
        if account is None or account.unit_id is None:
            return first
        first_handler = self._account(first.handler_id)
        if first_handler is not None and first_handler.unit_id is None:
            authority: list[UUID | None] = [None]  # resolved nationwide: nobody is above it
        elif first_handler is not None:
            authority = [first_handler.unit_id]
        else:
            authority = list(first.unit_ids)
        if not all(u is not None and self.scopes.unit_above(account.unit_id, u) for u in authority):
            raise WrongLevel(
                "khiếu nại lần hai do cấp trên trực tiếp của nơi giải quyết lần đầu xử lý",
                complaint_id=str(complaint.id),
                unit_id=str(account.unit_id),
            )
        return first

    def _account(self, actor_id: str | None) -> UserAccount | None:
        try:
            return self.records.find(UserAccount, UUID(actor_id)) if actor_id else None
        except ValueError:  # the console or a system job
            return None

    def resolve_complaint(
        self,
        ctx: CommandContext,
        complaint_id: UUID,
        outcome: ComplaintOutcome,
        resolved_on: date | None,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Resolve; an upheld (or partly upheld) complaint reopens its cases in the same save."""
        with acting(ctx):
            complaint = self.complaint_for(ctx, complaint_id, expected_version)
            first = self._check_level_above(complaint, ctx.actor_id)
            day = self.records.step_day(resolved_on)
            complaint.resolve(outcome, day, nfc(reason), first=first)
            if not complaint.upheld:
                return self.records.save(complaint)
            cases = [self.records.get(AssessmentCase, case_id) for case_id in complaint.case_ids]
            for case in cases:
                if case.decided:
                    case.reopen_on_appeal(complaint.id, day)
            return self.records.save(complaint, *cases)

    def report_lawsuit(
        self,
        ctx: CommandContext,
        complaint_id: UUID,
        reported_on: date | None,
        court: str,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            complaint = self.complaint_for(ctx, complaint_id, expected_version)
            complaint.report_lawsuit(self.records.step_day(reported_on), nfc(court))
            return self.records.save(complaint)
