"""Recognition decisions: who may sign one, and what it grants or refuses.

Who may sign, in one place: an account acting as signer (:func:`require_signer`), whose unit
covers the authority's unit (:meth:`Scopes.require_unit`) and every case's unit on the day of
the decision; and, decided in the domain (:func:`domain.decision.issue_decision`), someone
who took no part in the case (separation of duties) and is not related to its subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.services.criteria import CriteriaService
from application.services.records import Recorded, Records
from application.services.scope import Scopes
from domain.base import CommandContext, acting
from domain.decision import RecognitionDecision, Ruling, issue_decision
from domain.errors import OutOfScope, PermissionDenied
from domain.glossary import DecisionOutcome, Role
from domain.registry import AdministrativeUnit
from domain.text import nfc


@dataclass(frozen=True)
class RulingRequest:
    case_id: UUID
    outcome: DecisionOutcome
    reason: str | None = None


def require_signer(ctx: CommandContext) -> None:
    """Only an account acting as signer (người ký quyết định) issues a decision."""
    if ctx.actor_role != Role.SIGNER.value:
        raise PermissionDenied(
            "chỉ người có thẩm quyền ký mới ban hành quyết định công nhận",
            required=[Role.SIGNER.value],
            held=[ctx.actor_role],
        )


@dataclass(frozen=True)
class DecisionService:
    records: Records
    scopes: Scopes
    criteria: CriteriaService

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
        require_signer(ctx)
        scope = self.scopes.require_unit(ctx, authority_unit_id)
        day = self.records.step_day(decided_on)
        with acting(ctx):
            cases = [self.scopes.case_for(ctx, r.case_id, scope=scope) for r in rulings]
            outside = {
                c.id
                for c in cases
                if not self.scopes.unit_covers(authority_unit_id, c.unit_id, day)
            }
            signer_circle = self.scopes.user_circle(UUID(ctx.actor_id))
            conflicts = {
                c.subject_id
                for c in cases
                if self.scopes.subject_circle(c.subject_id) & signer_circle
            }
            decision = issue_decision(
                number=nfc(number.strip()),
                decided_on=day,
                signer_id=ctx.actor_id,
                signer_title=nfc(signer_title),
                authority_name=nfc(authority_name),
                authority_unit=self.records.get(AdministrativeUnit, authority_unit_id),
                legal_basis=nfc(legal_basis),
                rulings=[
                    Ruling(case, self.criteria.spec_of(case), r.outcome, nfc(r.reason))
                    for case, r in zip(cases, rulings, strict=True)
                ],
                signer_conflicts=conflicts,
                outside_territory=outside,
                amends=self.records.get(RecognitionDecision, amends) if amends else None,
            )
            return self.records.save(decision, *cases)

    def decision(self, decision_id: UUID) -> RecognitionDecision:
        return self.records.get(RecognitionDecision, decision_id)

    def decision_for(self, ctx: CommandContext, decision_id: UUID) -> RecognitionDecision:
        """A decision, for readers in the authority's unit or whose own case it decided."""
        decision = self.records.get(RecognitionDecision, decision_id)
        scope = self.scopes.scope(ctx)
        subjects = {UUID(str(e["subject_id"])) for e in decision.entries}
        if not (
            self.scopes.reaches_unit(scope, decision.authority_unit_id) or subjects & scope.circle
        ):
            raise OutOfScope(
                "quyết định này nằm ngoài phạm vi của bạn", decision_id=str(decision_id)
            )
        return decision
