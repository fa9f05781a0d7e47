"""Rendering a page: templates, the navigation for the user's roles, and error pages.

``render(request, "x.html", **ctx)`` gives every template ``user`` (the signed-in
:class:`Principal` or None), ``nav`` (links for their roles), ``csrf`` (the token every
form carries), ``path`` (inside the app) and ``root`` (where the app is mounted: every
link a template writes starts with ``{{ root }}``). :class:`PageRoute` turns what a page
raises into an HTML answer: a refusal of the domain becomes an error page with the same
Vietnamese message and status as the API's problem, signing in is a 303.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from api.problems import status_of
from api.routers.complaints import WATCHERS as COMPLAINT_WATCHERS
from api.web.session import (
    CHANGE_PASSWORD,
    PREFIX,
    SESSION_COOKIE,
    VISITOR_COOKIE,
    CsrfRefused,
    PasswordChangeRequired,
    SignInRequired,
    app_path,
    csrf_guard,
    csrf_token,
    current_session,
    root,
    sign_in_url,
    site,
)
from application.adapters.read_models import ReadModels, ViewsBehind
from application.ledger import Ledger
from application.services.access import Principal
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput
from domain.glossary import EVIDENCE_KINDS, Role
from domain.text import shown

log = logging.getLogger("hoctap.web")
HERE = Path(__file__).parent
STATIC = HERE / "static"

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
environment.globals["evidence_kinds"] = EVIDENCE_KINDS


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    #: Shown to users holding one of these roles; empty: to everyone signed in.
    roles: tuple[Role, ...] = ()


OFFICERS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)
QUEUE_ROLES = (Role.REVIEWER, Role.COUNCIL_MEMBER, Role.SIGNER, Role.COMPLAINT_HANDLER)

#: The menu, in order. Pages add their entry here.
NAV: list[NavItem] = [
    NavItem("Trang chính", "/trang"),
    NavItem("Đăng ký công dân, hộ gia đình", "/trang/dang-ky", OFFICERS),
    NavItem("Nhập danh sách từ Excel", "/trang/nhap-danh-sach", (Role.COMMUNE_OFFICER,)),
    NavItem("Việc cần làm", "/trang/hang-doi", QUEUE_ROLES),
    NavItem("Khiếu nại", "/trang/khieu-nai", COMPLAINT_WATCHERS),
    NavItem(
        "Thống kê",
        "/trang/thong-ke",
        (Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR),
    ),
    NavItem("Kiểm tra hồ sơ", "/trang/kiem-tra-ho-so", (Role.INSPECTOR, Role.ADMINISTRATOR)),
    NavItem("Điểm kiểm công khai", "/trang/nhat-ky"),
    NavItem("Mật khẩu người dùng", "/trang/quan-tri/mat-khau", (Role.ADMINISTRATOR,)),
    NavItem("Đổi mật khẩu", CHANGE_PASSWORD),
]


def nav_for(roles: tuple[Role, ...]) -> list[NavItem]:
    return [item for item in NAV if not item.roles or any(r in roles for r in item.roles)]


def secure_cookies(request: Request) -> bool:
    """Cookies are ``Secure`` over HTTPS and always in production (behind a TLS proxy)."""
    production: bool = request.app.state.settings.environment == "production"
    return production or request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path=site(request, PREFIX),
    )


def delete_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=site(request, PREFIX))


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """The page ``template`` with the signed-in user, their menu and the form token."""
    session = current_session(request)
    principal = session.principal if session else None
    token = csrf_token(request)
    html = environment.get_template(template).render(
        user=principal,
        nav=nav_for(principal.roles) if principal else [],
        csrf=token,
        root=root(request),
        path=app_path(request),
        must_change=bool(session and session.must_change_password),
        **ctx,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    new_visitor = request.state._state.get("new_visitor")
    if new_visitor:
        set_cookie(request, response, VISITOR_COOKIE, new_visitor)
    return response


def unit_form_page(
    request: Request,
    template: str,
    ledger: Ledger,
    ctx: CommandContext,
    principal: Principal,
    status_code: int,
    context: dict[str, Any],
) -> HTMLResponse:
    """A form that works in the signed-in officer's own unit, headed by the unit's name ("—"
    for an account with no unit)."""
    unit = principal.unit_id
    name = ledger.names.names(ctx, [unit]).get(unit, "—") if unit else "—"
    return render(request, template, status_code=status_code, **({"unit_name": name} | context))


def error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    response = render(request, "loi.html", status_code=status, status=status, message=message)
    response.headers.update(headers or {})
    return response


#: The log position this browser's last form reached (a cookie), so that the next page
#: reading a view waits for it: a list shown right after a step shows the step.
WRITTEN_COOKIE = "hoctap_da_ghi"
#: How long the cookie lasts, and how long a page waits for the views to fold the write
#: before it shows what they hold (the views fold a write in milliseconds when well).
WRITTEN_SECONDS = 120
PAGE_WAIT_SECONDS = 2.0


def redirect(request: Request, url: str) -> RedirectResponse:
    """303 to ``url``, a path of this app (``/trang/...``), under where the app is mounted.
    After a form (POST), the log's newest position goes with it (:data:`WRITTEN_COOKIE`):
    the form's own write is at or before it."""
    response = RedirectResponse(site(request, url), status_code=303)
    if request.method == "POST":
        models: ReadModels = request.app.state.read_models
        newest = models.engine.source.max_position()
        set_cookie(request, response, WRITTEN_COOKIE, str(newest), max_age=WRITTEN_SECONDS)
    return response


def models_of(request: Request) -> ReadModels:
    """The views, once they have folded this browser's last write (:data:`WRITTEN_COOKIE`),
    waited for at most :data:`PAGE_WAIT_SECONDS`. Past that, or for a position the log does
    not hold (a cookie from another store, or made up), the page shows what the views hold:
    a slow fold delays a page, it never refuses one."""
    models: ReadModels = request.app.state.read_models
    written = request.cookies.get(WRITTEN_COOKIE, "")
    if written.isascii() and written.isdigit() and len(written) <= 18:
        try:
            models.require(int(written), PAGE_WAIT_SECONDS)
        except (InvalidInput, ViewsBehind) as behind:
            log.info("trang hiện số liệu chưa gồm thao tác vừa ghi: %s", behind)
    return models


class PageRoute(APIRoute):
    """A page's route: what it (or a dependency) raises becomes an HTML answer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as needed:
                response: Response = RedirectResponse(
                    sign_in_url(request, needed.next_path), status_code=303
                )
                if request.cookies.get(SESSION_COOKIE):
                    delete_cookie(request, response, SESSION_COOKIE)
                return response
            except PasswordChangeRequired:
                return redirect(request, CHANGE_PASSWORD)
            except CsrfRefused:
                return error_page(
                    request, 403, "biểu mẫu đã hết hạn hoặc không hợp lệ; mời tải lại trang"
                )
            except DomainError as refused:
                return error_page(request, *_domain_answer(refused))
            except RequestValidationError as invalid:
                return error_page(request, 422, _validation_message(invalid))

        return page


def _domain_answer(refused: DomainError) -> tuple[int, str, dict[str, str]]:
    status = status_of(refused)
    if status >= 500:
        log.error("error on a page: %s %s", refused.message, refused.details)
    retry = refused.details.get("retry_after")
    return status, shown(refused.message), {"Retry-After": str(retry)} if retry else {}


def _validation_message(invalid: RequestValidationError) -> str:
    first = invalid.errors()[0] if invalid.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "biểu mẫu"
    return f"dữ liệu không hợp lệ ({shown(where)})"


def page_router() -> APIRouter:
    """A router for a module of pages: HTML answers, out of the OpenAPI schema, and every
    POST checked for its CSRF token (a page cannot forget it)."""
    return APIRouter(
        prefix=PREFIX,
        include_in_schema=False,
        route_class=PageRoute,
        dependencies=[Depends(csrf_guard)],
    )
