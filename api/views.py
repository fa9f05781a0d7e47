"""Current state of each aggregate, as the HTTP API shows it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import Response

from api import schemas
from application.services.access import Principal
from application.services.records import Recorded
from domain.access import PERSONAL_DATA_READERS, UserAccount
from domain.assessment import AssessmentCase
from domain.complaints import Complaint
from domain.criteria import CriteriaSet, CriteriaSpec
from domain.decision import RecognitionDecision
from domain.evaluation import evaluate
from domain.glossary import ERASED_LABEL, Role, label
from domain.registry import AdministrativeUnit, Collective, Person

#: What :func:`recorded` sets itself, never copied from the endpoint's ``response``.
_OWN_HEADERS = (b"content-length", b"content-type")


def recorded(result: Recorded, response: Response, status_code: int = 200) -> Response:
    """A command's answer, serialised here: its id, new version (``ETag``) and log position.

    The route still declares ``response_model=schemas.Recorded`` (the schema in /docs), but
    the answer is a finished ``Response``, which FastAPI sends as it is. Given the model
    instead, FastAPI would validate it a second time, and for a plain ``def`` endpoint it
    does that in its thread pool: a hop per command for a model built just above. A returned
    ``Response`` skips the route's ``status_code`` too, hence the argument (201 for routes
    that create), and the headers the endpoint set on ``response`` are carried over.
    """
    body = schemas.Recorded(id=result.id, version=result.version, position=result.position)
    answer = Response(body.model_dump_json(), status_code, media_type="application/json")
    answer.headers.raw.extend(h for h in response.headers.raw if h[0] not in _OWN_HEADERS)
    answer.headers["ETag"] = f'"{result.version}"'
    if result.position is not None:
        answer.headers["X-Log-Position"] = str(result.position)
    return answer


def etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def criteria_set(item: CriteriaSet) -> schemas.CriteriaSetPublic:
    return schemas.CriteriaSetPublic(
        id=item.id,
        code=item.code,
        version=item.set_version,
        supersedes=item.supersedes,
        superseded_by=item.superseded_by,
        superseded_from=item.superseded_from,
        content=item.content,
        max_total=item.spec.max_total,
        illustrative=item.spec.illustrative,
    )


def unit(item: AdministrativeUnit) -> schemas.UnitPublic:
    return schemas.UnitPublic(
        id=item.id,
        version=item.version,
        code=item.code,
        name=item.name,
        level=item.level,
        unit_type=item.unit_type,
        parents=[{"parent_id": str(p), "from_date": d.isoformat()} for p, d in item.parents],
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        legal_basis=item.legal_basis,
        successor_id=item.successor_id,
        predecessor_ids=item.predecessor_ids,
    )


def person(
    item: Person, details: dict[str, Any] | None, principal: Principal
) -> schemas.PersonPublic:
    may_read = principal.person_id == item.id or any(
        r in principal.roles for r in PERSONAL_DATA_READERS
    )
    return schemas.PersonPublic(
        id=item.id,
        version=item.version,
        unit_id=item.unit_id,
        target_group=item.target_group,
        affiliations=[{"group_id": str(g), "kind": k.value} for g, k in item.affiliations.items()],
        erased=item.erased,
        label=ERASED_LABEL["vi"] if item.erased else None,
        details=details if may_read else None,
    )


def collective(item: Collective, name: str | None) -> schemas.CollectivePublic:
    return schemas.CollectivePublic(
        id=item.id,
        version=item.version,
        kind=item.kind,
        name=name,
        unit_id=item.unit_id,
        organisation_type=item.organisation_type,
        members=[{"member_id": str(m), "relation": r} for m, r in item.members.items()],
        affiliations=[{"group_id": str(g), "kind": k.value} for g, k in item.affiliations.items()],
    )


def case(item: AssessmentCase, spec: CriteriaSpec) -> schemas.CasePublic:
    verdict = evaluate(spec, item.scores)  # computed figures (member shares) included
    return schemas.CasePublic(
        id=item.id,
        version=item.version,
        subject_id=item.subject_id,
        subject_kind=item.subject_kind,
        model=item.model,
        title_label=label(item.model),
        cycle_year=item.cycle_year,
        attempt=item.attempt,
        unit_id=item.unit_id,
        criteria_set_id=item.criteria_set_id,
        criteria_set_code=item.criteria_set_code,
        criteria_set_version=item.criteria_set_version,
        status=item.status.value,
        status_label=label(item.status),
        step_dates={k.value: v for k, v in item.step_dates.items()},
        indicators=[
            schemas.IndicatorScore(
                code=i.code,
                name=i.name,
                max_points=i.max_points,
                self_score=item.self_scores.get(i.code),
                review_score=item.review_scores.get(i.code),
                final_score=item.scores.get(i.code),
            )
            for i in spec.indicators
        ],
        total=verdict.total,
        max_total=verdict.max_total,
        verdict=verdict.as_dict(),
        evidence=[
            schemas.EvidencePublic(**{**vars(e), "indicators": list(e.indicators)})
            for e in item.evidence.values()
        ],
        evidence_seen=item.evidence_seen,
        self_assessor=item.self_assessor,
        reviewer=item.reviewer,
        council=[vars(s) for s in item.council],
        recommended=item.recommended,
        decision_id=item.decision_id,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        appeal_complaint_id=item.appeal_complaint_id,
        revoked_from=item.revoked_from,
    )


def decision(item: RecognitionDecision) -> schemas.DecisionPublic:
    return schemas.DecisionPublic(
        id=item.id,
        version=item.version,
        number=item.number,
        decided_on=item.decided_on,
        signer_id=item.signer_id,
        signer_title=item.signer_title,
        authority_name=item.authority_name,
        authority_level=item.authority_level,
        authority_unit_id=item.authority_unit_id,
        legal_basis=item.legal_basis,
        entries=item.entries,
        amends=item.amends,
    )


def user(item: UserAccount) -> schemas.UserPublic:
    return schemas.UserPublic(
        id=item.id,
        version=item.version,
        username=item.username,
        roles=item.roles,
        unit_id=item.unit_id,
        person_id=item.person_id,
        active=item.active,
    )


#: The step each open status of a complaint waits for, and the deadline that binds it.
_PENDING = {"received": "acceptance", "accepted": "resolution"}
#: Who may read a complaint's grounds (besides the complainant).
GROUNDS_READERS = (Role.COMPLAINT_HANDLER, Role.COMMUNE_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)


def complaint_overdue(status: str, deadlines: Mapping[str, date | None], today: date) -> list[str]:
    """The deadlines already past whose step is not done: ``acceptance`` while received,
    ``resolution`` while accepted (the API's ``overdue`` and the pages' "quá hạn")."""
    step = _PENDING.get(status)
    due = deadlines.get(step) if step else None
    return [step] if step and due is not None and due < today else []


def row_deadlines(row: Mapping[str, Any]) -> dict[str, date | None]:
    """The deadlines of a row of the complaints view, as :meth:`Complaint.deadlines` names them."""
    return {"acceptance": row["acceptance_deadline"], "resolution": row["resolution_deadline"]}


def may_read_grounds(principal: Principal, complaint: Complaint) -> bool:
    """A complaint's grounds are for those who handle or oversee it, and its complainant."""
    return any(r in principal.roles for r in GROUNDS_READERS) or (
        principal.person_id == complaint.complainant_id
    )
