"""Administrative units, persons and collectives (households, clans, communities, units)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from api import schemas, views
from api.deps import (
    ADMIN,
    OFFICERS,
    IfMatchDep,
    LedgerDep,
    PrincipalDep,
    ReaderDep,
    acting_as,
)
from api.params import CollectiveId, MemberId, PersonId, UnitId
from application.ledger import Ledger
from application.services.records import Recorded
from domain.access import PERSONAL_DATA_READERS
from domain.base import CommandContext
from domain.errors import NotFound
from domain.glossary import Role, SubjectKind
from domain.registry import AdministrativeUnit, Collective, Person

router = APIRouter(tags=["Đơn vị hành chính và đối tượng"])
AdminDep = Annotated[CommandContext, Depends(acting_as(*ADMIN))]
RegistrarDep = Annotated[CommandContext, Depends(acting_as(*OFFICERS, Role.ADMINISTRATOR))]


@router.post(
    "/units",
    summary="Thành lập đơn vị hành chính",
    status_code=201,
    response_model=schemas.Recorded,
)
def establish_unit(
    body: schemas.UnitCreate, ledger: LedgerDep, ctx: AdminDep, response: Response
) -> Response:
    return views.recorded(
        ledger.registry.establish_unit(ctx, **body.model_dump()), response, status_code=201
    )


@router.get(
    "/units/{unit_id}", summary="Đọc một đơn vị hành chính", response_model=schemas.UnitPublic
)
def read_unit(
    unit_id: UnitId, ledger: LedgerDep, _: PrincipalDep, response: Response
) -> schemas.UnitPublic:
    item = ledger.records.get(AdministrativeUnit, unit_id)
    views.etag(response, item.version)
    return views.unit(item)


@router.post(
    "/units/{unit_id}/parent", summary="Đổi đơn vị cấp trên", response_model=schemas.Recorded
)
def change_unit_parent(
    unit_id: UnitId,
    body: schemas.UnitParentChange,
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.registry.change_unit_parent(
        ctx, unit_id, body.parent_id, body.from_date, body.reason, expected
    )
    return views.recorded(result, response)


@router.post(
    "/unit-mergers",
    summary="Ghi nhận sáp nhập đơn vị",
    status_code=201,
    response_model=schemas.Recorded,
)
def merge_units(
    body: schemas.UnitMerge, ledger: LedgerDep, ctx: AdminDep, response: Response
) -> Response:
    """Record that units merged into a successor (e.g. communes on 2025-07-01)."""
    result = ledger.registry.merge_units(
        ctx, body.predecessor_ids, body.successor_id, body.from_date, body.legal_basis
    )
    return views.recorded(result, response, status_code=201)


@router.post(
    "/persons", summary="Đăng ký công dân", status_code=201, response_model=schemas.Recorded
)
def register_person(
    body: schemas.PersonCreate, ledger: LedgerDep, ctx: RegistrarDep, response: Response
) -> Response:
    """Register a citizen. The CCCD is kept only as a keyed hash; personal fields are sealed."""
    return views.recorded(
        ledger.registry.register_person(ctx, **body.model_dump()), response, status_code=201
    )


@router.post(
    "/persons/lookup", summary="Tra cứu công dân theo CCCD", response_model=schemas.PersonPublic
)
def find_person(
    body: schemas.PersonLookup,
    ledger: LedgerDep,
    principal: PrincipalDep,
    reading: ReaderDep,
    response: Response,
) -> schemas.PersonPublic:
    """Find a person by CCCD (sent in the body, never in a URL). The look-up is recorded."""
    item = ledger.registry.person_by_cccd(reading, body.cccd)
    ledger.access.record_view(reading, "person", str(item.id), "tra cứu theo CCCD")
    views.etag(response, item.version)
    return views.person(item, ledger.vault.unseal(item.id, item.sealed), principal)


@router.get(
    "/persons/{person_id}", summary="Đọc hồ sơ công dân", response_model=schemas.PersonPublic
)
def read_person(
    person_id: PersonId,
    ledger: LedgerDep,
    principal: PrincipalDep,
    reading: ReaderDep,
    response: Response,
) -> schemas.PersonPublic:
    """A person's record; personal fields only for those who need them. The view is recorded."""
    item = ledger.scopes.subject_for(reading, person_id, reading=True)
    if not isinstance(item, Person):
        raise NotFound("không có công dân này", person_id=str(person_id))
    ledger.access.record_view(reading, "person", str(item.id))
    views.etag(response, item.version)
    return views.person(item, ledger.vault.unseal(item.id, item.sealed), principal)


@router.post(
    "/persons/{person_id}/corrections",
    summary="Sửa thông tin công dân",
    response_model=schemas.Recorded,
)
def correct_person(
    person_id: PersonId,
    body: schemas.PersonCorrection,
    ledger: LedgerDep,
    ctx: RegistrarDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    return views.recorded(
        ledger.registry.correct_person(
            ctx, person_id, body.changes.model_dump(exclude_unset=True), body.reason, expected
        ),
        response,
    )


@router.post(
    "/persons/{person_id}/erasure", summary="Xóa dữ liệu cá nhân", response_model=schemas.Recorded
)
def erase_person(
    person_id: PersonId,
    body: schemas.ErasureRequest,
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Destroy the person's key: their personal data can never be read again."""
    return views.recorded(
        ledger.registry.erase_person(ctx, person_id, body.reason, expected), response
    )


@router.post(
    "/persons/{person_id}/relocation",
    summary="Chuyển nơi ở của công dân",
    response_model=schemas.Recorded,
)
def relocate_person(
    person_id: PersonId,
    body: schemas.Relocation,
    ledger: LedgerDep,
    ctx: RegistrarDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """The person now lives in another unit, reached by the officer as well as the current
    one. Cases already opened stay with the unit that opened them."""
    return views.recorded(_relocate(ledger, ctx, Person, person_id, body, expected), response)


@router.post(
    "/collectives/{collective_id}/relocation",
    summary="Chuyển đơn vị của hộ, dòng họ, tổ chức",
    response_model=schemas.Recorded,
)
def relocate_collective(
    collective_id: CollectiveId,
    body: schemas.Relocation,
    ledger: LedgerDep,
    ctx: RegistrarDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """A household, clan or organisation moves (a community stays with its village)."""
    moved = _relocate(ledger, ctx, Collective, collective_id, body, expected)
    return views.recorded(moved, response)


def _relocate(
    ledger: Ledger,
    ctx: CommandContext,
    kind: type[Person] | type[Collective],
    subject_id: UUID,
    body: schemas.Relocation,
    expected: int,
) -> Recorded:
    return ledger.registry.relocate_subject(
        ctx, kind, subject_id, body.unit_id, body.moved_on, body.reason, expected
    )


@router.post(
    "/collectives",
    summary="Đăng ký hộ, dòng họ, cộng đồng, đơn vị",
    status_code=201,
    response_model=schemas.Recorded,
)
def register_collective(
    body: schemas.CollectiveCreate, ledger: LedgerDep, ctx: RegistrarDep, response: Response
) -> Response:
    return views.recorded(
        ledger.registry.register_collective(ctx, **body.model_dump()), response, status_code=201
    )


@router.get(
    "/collectives/{collective_id}",
    summary="Đọc một tập thể",
    response_model=schemas.CollectivePublic,
)
def read_collective(
    collective_id: CollectiveId,
    ledger: LedgerDep,
    principal: PrincipalDep,
    reading: ReaderDep,
    response: Response,
) -> schemas.CollectivePublic:
    item = ledger.scopes.subject_for(reading, collective_id, reading=True)
    if not isinstance(item, Collective):
        raise NotFound("không có tập thể này", collective_id=str(collective_id))
    if item.kind is SubjectKind.HOUSEHOLD:
        ledger.access.record_view(reading, "household", str(item.id))
    views.etag(response, item.version)
    name = item.name
    if item.kind is SubjectKind.HOUSEHOLD:
        sealed = ledger.vault.unseal(item.id, item.sealed)
        readable = any(r in principal.roles for r in PERSONAL_DATA_READERS) or (
            principal.person_id in item.members
        )
        name = sealed.get("name") if sealed and readable else None
    return views.collective(item, name)


@router.post(
    "/collectives/{collective_id}/members",
    summary="Thêm thành viên",
    response_model=schemas.Recorded,
)
def add_member(
    collective_id: CollectiveId,
    body: schemas.MemberAdd,
    ledger: LedgerDep,
    ctx: RegistrarDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.registry.add_member(ctx, collective_id, body.member_id, body.relation, expected)
    return views.recorded(result, response)


@router.post(
    "/collectives/{collective_id}/members/{member_id}/departure",
    summary="Thành viên rời tập thể",
    response_model=schemas.Recorded,
)
def remove_member(
    collective_id: CollectiveId,
    member_id: MemberId,
    body: schemas.MemberLeave,
    ledger: LedgerDep,
    ctx: RegistrarDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """A member leaves (recorded on the group and on the member; If-Match: the group's)."""
    result = ledger.registry.remove_member(
        ctx, collective_id, member_id, body.left_on, body.reason, expected
    )
    return views.recorded(result, response)
