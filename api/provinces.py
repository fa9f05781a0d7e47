"""One API for many provincial stores: ``create_national_app(settings)``.

Each province's own app (``create_app`` on that province's ledger) is mounted under
``/tinh/{code}``: every route, page, token and role of the single-store API, on that
province's store only. Above them: the list of provinces and the national statistics, read
from every store in parallel and summed. Accounts and tokens belong to one store, as in a
single-store deployment; the national statistics take a token of a nationwide account (no
unit) of any province's store with a reporting, inspecting or administering role.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field

from api import problems
from api.app import create_app
from api.deps import bearer_token
from api.read_schemas import Figures
from application.clients.provinces import Provinces
from application.services.access import Principal
from application.services.records import Clock
from application.settings import Settings
from domain.errors import DomainError, NotAuthenticated, PermissionDenied
from domain.glossary import Role, TitleModel
from projections.statistics.queries import Line, summed

NATIONAL_READERS = (Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)


class ProvinceListed(BaseModel):
    code: str = Field(description="Mã tỉnh (2 chữ số)", examples=["01"])
    name: str = Field(description="Tên tỉnh", examples=["Thành phố Hà Nội"])
    path: str = Field(description="Đường dẫn API của tỉnh", examples=["/tinh/01"])


class NationalLine(Figures):
    code: str = Field(description="Mã tỉnh, hoặc VN cho cả nước", examples=["01"])
    name: str = Field(description="Tên tỉnh, hoặc Toàn quốc", examples=["Thành phố Hà Nội"])
    by_model: dict[str, dict[str, int]] = Field(description="Theo danh hiệu")
    by_group: dict[str, dict[str, int]] = Field(description="Công dân học tập theo nhóm đối tượng")


class NationalStatistics(BaseModel):
    cycle_year: int = Field(description="Năm xét", examples=[2026])
    model: str | None = Field(description="Danh hiệu (trống: mọi danh hiệu)")
    provinces: list[NationalLine] = Field(description="Mỗi tỉnh một dòng, theo mã")
    total: NationalLine = Field(description="Tổng của các tỉnh")


def create_national_app(
    settings: Settings, *, clock: Clock | None = None, provinces: Provinces | None = None
) -> FastAPI:
    """The app of a deployment with ``HOCTAP_PROVINCES_FILE``; the stores are opened here
    (never at import) unless given, and closed on shutdown if opened here."""
    own = provinces is None
    the_provinces = provinces or Provinces(settings, clock=clock)
    apps = {
        code: create_app(ledger.settings, clock=clock, ledger=ledger)
        for code, ledger in sorted(the_provinces.ledgers.items())
    }

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # a mounted app's lifespan is not run by Starlette: run each province's here
        async with AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            yield
        if own:
            the_provinces.close()

    national = FastAPIOffline(
        title="Hoctap Ledger — toàn quốc",
        version="0.1.0",
        description="Các tỉnh, mỗi tỉnh một kho, dưới `/tinh/{mã}`; thống kê toàn quốc.",
        lifespan=lifespan,
    )
    national.state.provinces = the_provinces
    problems.install(national)
    problems.document_problems(national)

    @national.get(
        "/tinh",
        summary="Danh sách tỉnh của triển khai",
        response_model=list[ProvinceListed],
        tags=["Toàn quốc"],
    )
    def province_list() -> list[ProvinceListed]:
        """Every province this deployment serves, with the path of its API."""
        return [
            ProvinceListed(code=p.code, name=p.name, path=f"/tinh/{p.code}")
            for p in the_provinces.provinces.values()
        ]

    @national.get(
        "/thong-ke-toan-quoc",
        summary="Thống kê toàn quốc: tổng của các tỉnh",
        response_model=NationalStatistics,
        tags=["Toàn quốc"],
    )
    def national_statistics(
        request: Request,
        _: NationalReaderDep,
        cycle_year: Annotated[
            int, Query(ge=2000, le=2100, description="Năm xét (bắt buộc)", examples=[2026])
        ],
        model: Annotated[
            TitleModel | None,
            Query(description="Chỉ một danh hiệu", examples=["cong_dan_hoc_tap"]),
        ] = None,
    ) -> NationalStatistics:
        """Each province's figures read from its own store (all at once) and their sum."""
        models = {code: app.state.read_models for code, app in apps.items()}
        result = the_provinces.national_report(
            models, cycle_year=cycle_year, model=model.value if model else None
        )
        return NationalStatistics(
            cycle_year=result.cycle_year,
            model=result.model,
            provinces=[_line(p.code, p.name, p.lines) for p in result.provinces],
            total=_line("VN", result.total.name, [result.total]),
        )

    for code, app in apps.items():
        national.mount(f"/tinh/{code}", app)
    return national


def national_reader(request: Request, token: Annotated[str, Depends(bearer_token)]) -> Principal:
    """A nationwide account (no unit) of any province's store, in a reading role."""
    principal = _authenticated(request.app.state.provinces, token)
    if principal.unit_id is not None or not set(principal.roles) & set(NATIONAL_READERS):
        raise PermissionDenied(
            "thống kê toàn quốc dành cho tài khoản cấp toàn quốc (không gắn đơn vị) có vai"
            " trò reporting_officer, inspector hoặc administrator"
        )
    return principal


NationalReaderDep = Annotated[Principal, Depends(national_reader)]


def _authenticated(provinces: Provinces, token: str) -> Principal:
    """The account behind ``token`` in whichever store issued it."""
    refused: DomainError | None = None
    for ledger in provinces.ledgers.values():
        try:
            return ledger.access.authenticate(token)
        except NotAuthenticated as error:
            refused = error
    raise refused or NotAuthenticated("mã truy cập không hợp lệ")


def _line(code: str, name: str, lines: list[Line]) -> NationalLine:
    total = summed(lines, unit_id=code, code=code, name=name, level="province")
    return NationalLine(
        code=code,
        name=name,
        registered=total.registered,
        assessed=total.assessed,
        recognised=total.recognised,
        subjects=total.subjects,
        rate_of_registered=total.rate_of_registered,
        rate_of_subjects=total.rate_of_subjects,
        by_model=total.by_model,
        by_group=total.by_group,
    )
