"""Recognition decisions: a competent authority grants titles, or refuses them.

A decision and the cases it decides are saved together, in one transaction, so no case is
left granted without its decision or the reverse. :func:`issue_decision` checks every rule
for every case before it records anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.assessment import AssessmentCase
from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, ledger_id
from domain.criteria import CriteriaSpec
from domain.errors import (
    AuthorityNotCompetent,
    ConflictOfInterest,
    DateOutOfOrder,
    InvalidInput,
    ReasonRequired,
    SeparationOfDuties,
    StepOutOfOrder,
    ThresholdNotMet,
)
from domain.glossary import CaseStatus, DecisionOutcome, TitleModel, UnitLevel
from domain.registry import TWO_LEVEL_GOVERNMENT_FROM, AdministrativeUnit


def decision_id_for(authority_unit_id: UUID, number: str) -> UUID:
    return ledger_id("recognition-decision", authority_unit_id, number)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none: the anniversary is 1 March
        return day.replace(year=day.year + years, month=3, day=1)


def validity(decided_on: date, years: int) -> tuple[date, date]:
    """A title is valid from the decision date for ``years`` years."""
    return decided_on, add_years(decided_on, years) - timedelta(days=1)


@dataclass(frozen=True)
class Ruling:
    """What a decision says about one case."""

    case: AssessmentCase
    spec: CriteriaSpec
    outcome: DecisionOutcome
    reason: str | None = None


@aggregate_topic("hoctap.RecognitionDecision")
class RecognitionDecision(LedgerAggregate):
    class Issued(LedgerCreated):
        TOPIC = "hoctap.RecognitionDecision.Issued"
        number: str
        decided_on: date
        signer_id: str
        signer_title: str
        authority_name: str
        authority_level: str
        authority_unit_id: UUID
        legal_basis: str
        entries: list[dict[str, Any]]
        amends: UUID | None = None  # the decision this one amends or annuls

    def __init__(
        self,
        number: str,
        decided_on: date,
        signer_id: str,
        signer_title: str,
        authority_name: str,
        authority_level: str,
        authority_unit_id: UUID,
        legal_basis: str,
        entries: list[dict[str, Any]],
        amends: UUID | None = None,
    ) -> None:
        self.amends = amends
        self.number = number
        self.decided_on = decided_on
        self.signer_id = signer_id
        self.signer_title = signer_title
        self.authority_name = authority_name
        self.authority_level = UnitLevel(authority_level)
        self.authority_unit_id = authority_unit_id
        self.legal_basis = legal_basis
        self.entries = entries


def issue_decision(
    *,
    number: str,
    decided_on: date,
    signer_id: str,
    signer_title: str,
    authority_name: str,
    authority_unit: AdministrativeUnit,
    legal_basis: str,
    rulings: list[Ruling],
    signer_conflicts: set[UUID],
    outside_territory: set[UUID] | None = None,
    amends: RecognitionDecision | None = None,
) -> RecognitionDecision:
    """Check every rule, then record the decision and each case's grant or refusal.

    ``signer_conflicts`` holds the subjects that belong to the signer's own household, clan
    or unit, and ``outside_territory`` the cases whose unit the authority's unit does not
    cover on the day of the decision (both computed by the application from the registry: an
    authority decides only within its territory). With ``amends``, the decision
    amends or annuls an earlier one: it may grant or refuse cases an upheld complaint
    reopened, and revoke titles that earlier decision granted; the earlier decision and
    everything before it stay as they were.
    """
    if not number.strip() or not legal_basis.strip():
        raise InvalidInput("cần số quyết định và căn cứ pháp lý", field="number")
    if not rulings:
        raise InvalidInput("quyết định phải gồm ít nhất một hồ sơ", field="cases")
    _check_authority(authority_unit, decided_on)
    _check_level(authority_unit, rulings)
    if outside_territory:
        raise AuthorityNotCompetent(
            f"{authority_unit.name} không có thẩm quyền với hồ sơ ngoài địa bàn của mình",
            authority_unit_id=str(authority_unit.id),
            case_ids=sorted(str(c) for c in outside_territory),
        )
    case_ids = [r.case.id for r in rulings]
    if len(set(case_ids)) != len(case_ids):
        raise InvalidInput("một hồ sơ xuất hiện hai lần trong quyết định", field="cases")
    if amends is not None and decided_on < amends.decided_on:
        raise DateOutOfOrder("quyết định sửa đổi không thể trước quyết định bị sửa đổi")
    entries = [_check_ruling(r, decided_on, signer_id, signer_conflicts, amends) for r in rulings]
    decision = RecognitionDecision._create(
        RecognitionDecision.Issued,
        id=decision_id_for(authority_unit.id, number),
        number=number,
        decided_on=decided_on,
        signer_id=signer_id,
        signer_title=signer_title,
        authority_name=authority_name,
        authority_level=authority_unit.level.value,
        authority_unit_id=authority_unit.id,
        legal_basis=legal_basis,
        entries=entries,
        amends=amends.id if amends else None,
        effective_date=decided_on,
    )
    for ruling, entry in zip(rulings, entries, strict=True):
        _record_ruling(decision, ruling, entry)
    return decision


#: The village-level titles (thôn, tổ dân phố) the commune recognises (domain.md §3, §6: the
#: commune organised them with the HKH [S26][S27]; the closest documented template, Gia đình
#: văn hóa, is decided by the Chủ tịch UBND cấp xã [S34]). A unit above the commune covers the
#: village too, but is not the competent level. The other titles' deciding level depends on
#: facts the register does not hold yet (a learning unit's managing level) or was not found
#: (Công dân học tập): for them the territory check alone applies.
COMMUNE_DECIDES = frozenset(
    {TitleModel.LEARNING_FAMILY, TitleModel.LEARNING_CLAN, TitleModel.LEARNING_COMMUNITY}
)


def _check_level(unit: AdministrativeUnit, rulings: list[Ruling]) -> None:
    """A title the commune recognises is decided by the commune, not any unit above it."""
    if unit.level is UnitLevel.COMMUNE:
        return
    wrong = sorted(str(r.case.id) for r in rulings if r.case.model in COMMUNE_DECIDES)
    if wrong:
        raise AuthorityNotCompetent(
            "Gia đình học tập, Dòng họ học tập và Cộng đồng học tập cấp thôn do cấp xã công nhận:"
            f" {unit.name} không phải cấp có thẩm quyền",
            authority_level=unit.level.value,
            competent_level=UnitLevel.COMMUNE.value,
            case_ids=wrong,
        )


def _check_authority(unit: AdministrativeUnit, decided_on: date) -> None:
    if unit.level is UnitLevel.DISTRICT and decided_on >= TWO_LEVEL_GOVERNMENT_FROM:
        raise AuthorityNotCompetent(
            "từ ngày 01/07/2025 không còn cấp huyện: người ký cấp huyện không có thẩm quyền",
            authority_level=unit.level.value,
            decided_on=decided_on.isoformat(),
        )
    if unit.level is UnitLevel.VILLAGE:
        raise AuthorityNotCompetent("thôn, tổ dân phố không phải cấp ra quyết định công nhận")
    if not unit.is_valid_on(decided_on):
        raise AuthorityNotCompetent(
            "đơn vị ra quyết định không còn hiệu lực vào ngày quyết định",
            authority_unit_id=str(unit.id),
            decided_on=decided_on.isoformat(),
        )


def _check_ruling(
    ruling: Ruling,
    decided_on: date,
    signer_id: str,
    signer_conflicts: set[UUID],
    amends: RecognitionDecision | None,
) -> dict[str, Any]:
    case = ruling.case
    _check_stage(case, ruling.outcome, amends)
    case.check_date_not_before_appraisal(decided_on)
    if signer_id in case.participants:
        raise SeparationOfDuties(
            "người ký không được là người tự đánh giá, thẩm định hoặc thành viên hội đồng",
            case_id=str(case.id),
            signer_id=signer_id,
        )
    if case.subject_id in signer_conflicts:
        raise ConflictOfInterest(
            "người ký không được ký quyết định cho hộ, dòng họ hoặc đơn vị của mình",
            case_id=str(case.id),
        )
    verdict = case.verdict(ruling.spec)
    entry: dict[str, Any] = {
        "case_id": str(case.id),
        "subject_id": str(case.subject_id),
        "model": case.model.value,
        "outcome": ruling.outcome.value,
        "total": str(verdict.total),
        "classification": verdict.band.code if verdict.band else None,
        "reason": ruling.reason,
    }
    if ruling.spec.rules.levels:  # only sets with levels: other decisions' entries unchanged
        entry["level"] = verdict.level.number if verdict.level else None
    if ruling.outcome is DecisionOutcome.REVOKED:
        if not (ruling.reason or "").strip():
            raise ReasonRequired("thu hồi danh hiệu cần nêu căn cứ, lý do", case_id=str(case.id))
        entry["revoked_from"] = decided_on.isoformat()
        return entry
    if ruling.outcome is DecisionOutcome.GRANTED:
        on_appeal = case.status is CaseStatus.REOPENED
        if not (case.recommended or on_appeal) or not verdict.passed:
            raise ThresholdNotMet(
                "chỉ công nhận hồ sơ đạt ngưỡng và được hội đồng đề nghị",
                case_id=str(case.id),
                recommended=case.recommended,
                failures=[vars(c) for c in verdict.failures],
            )
        valid_from, valid_until = validity(decided_on, ruling.spec.rules.validity_years)
        entry |= {"valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()}
    else:
        given = (ruling.reason or "").strip()
        reason = given or _failures_as_reason(verdict.failures, case.recommended)
        if not reason:
            raise ReasonRequired(
                "hồ sơ đạt ngưỡng và được đề nghị: từ chối công nhận cần nêu lý do",
                case_id=str(case.id),
            )
        entry["reason"] = reason
    return entry


def _check_stage(
    case: AssessmentCase, outcome: DecisionOutcome, amends: RecognitionDecision | None
) -> None:
    """What may be decided about a case: first decisions follow the council's appraisal;
    amending ones follow an upheld complaint, or revoke what the amended decision granted."""
    if amends is None:
        if outcome is DecisionOutcome.REVOKED:
            raise StepOutOfOrder("thu hồi danh hiệu phải bằng quyết định sửa đổi, hủy bỏ")
        case.check_decidable()
        return
    if case.decision_id != amends.id:
        raise InvalidInput(
            "hồ sơ không thuộc quyết định được sửa đổi",
            case_id=str(case.id),
            amends=str(amends.id),
        )
    if outcome is DecisionOutcome.REVOKED:
        if case.status is not CaseStatus.GRANTED and not (
            case.status is CaseStatus.REOPENED and case.valid_from is not None
        ):
            raise StepOutOfOrder("chỉ thu hồi danh hiệu đã được công nhận", case_id=str(case.id))
        return
    if case.status is not CaseStatus.REOPENED:
        raise StepOutOfOrder(
            "quyết định sửa đổi chỉ công nhận lại hoặc từ chối hồ sơ đã được xem xét lại"
            " theo khiếu nại",
            case_id=str(case.id),
            status=case.status.value,
        )


def _failures_as_reason(failures: tuple[Any, ...], recommended: bool | None) -> str | None:
    parts = [
        f"{f.rule}{' ' + f.indicator if f.indicator else ''}: cần {f.expected}, đạt {f.found}"
        for f in failures
    ]
    if not recommended:
        parts.append("hội đồng không đề nghị công nhận")
    return "; ".join(parts) or None


def _record_ruling(decision: RecognitionDecision, ruling: Ruling, entry: dict[str, Any]) -> None:
    case = ruling.case
    if ruling.outcome is DecisionOutcome.GRANTED:
        case.trigger_event(
            case.TitleGranted,
            decision_id=decision.id,
            decision_number=decision.number,
            decided_on=decision.decided_on,
            valid_from=date.fromisoformat(entry["valid_from"]),
            valid_until=date.fromisoformat(entry["valid_until"]),
            total=case.verdict(ruling.spec).total,
            classification=entry["classification"],
            level=entry.get("level"),
            effective_date=decision.decided_on,
        )
    elif ruling.outcome is DecisionOutcome.REVOKED:
        case.trigger_event(
            case.TitleRevoked,
            decision_id=decision.id,
            decision_number=decision.number,
            decided_on=decision.decided_on,
            revoked_from=decision.decided_on,
            reason=entry["reason"],
            effective_date=decision.decided_on,
        )
    else:
        case.trigger_event(
            case.RecognitionRefused,
            decision_id=decision.id,
            decision_number=decision.number,
            decided_on=decision.decided_on,
            reason=entry["reason"],
            effective_date=decision.decided_on,
        )
