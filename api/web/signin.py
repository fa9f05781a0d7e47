"""Signing in and out, changing one's password, and an administrator's password reset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.problems import status_of
from api.web.pages import delete_cookie, error_page, page_router, redirect, render, set_cookie
from api.web.session import (
    PREFIX,
    SESSION_COOKIE,
    SIGN_IN,
    AnySessionDep,
    current_session,
    local_path,
    page_acting_as,
)
from domain.access import user_id_for, well_formed_username
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput, NotAuthenticated, TooManyAttempts
from domain.glossary import Role
from domain.text import shown

router = page_router()

#: Form fields are cut here before any check: a 10 kB "password" costs nothing.
_FIELD = Annotated[str, Form(max_length=1024)]
AdminDep = Annotated[CommandContext, Depends(page_acting_as(Role.ADMINISTRATOR))]


@router.get("/dang-nhap")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    target = local_path(next)
    if current_session(request) is not None:
        return redirect(request, target)
    return render(request, "dang_nhap.html", next=target, username="", message=None)


@router.post("/dang-nhap")
def sign_in(
    request: Request,
    ledger: LedgerDep,
    username: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = PREFIX,
) -> Response:
    target = local_path(next)
    client = request.client.host if request.client else "?"
    try:
        session = ledger.signin.sign_in(username.strip(), password, client)
    except (NotAuthenticated, TooManyAttempts) as refused:
        status = status_of(refused)
        page = render(
            request,
            "dang_nhap.html",
            status_code=status,
            next=target,
            username=shown(username[:64]) if well_formed_username(username.strip()) else "",
            message=refused.message,
        )
        if "retry_after" in refused.details:
            page.headers["Retry-After"] = str(refused.details["retry_after"])
        return page
    response = redirect(request, target)
    set_cookie(request, response, SESSION_COOKIE, session.session_id)
    return response


@router.post("/dang-xuat")
def sign_out(request: Request, ledger: LedgerDep, session: AnySessionDep) -> Response:
    ledger.signin.sign_out(session.session_id)
    response = redirect(request, SIGN_IN)
    delete_cookie(request, response, SESSION_COOKIE)
    return response


@router.get("/doi-mat-khau")
def change_password_form(request: Request, session: AnySessionDep) -> Response:
    return render(request, "doi_mat_khau.html", message=None)


@router.post("/doi-mat-khau")
def change_password(
    request: Request,
    ledger: LedgerDep,
    session: AnySessionDep,
    current: _FIELD = "",
    new: _FIELD = "",
    repeated: _FIELD = "",
) -> Response:
    try:
        if new != repeated:
            raise InvalidInput("hai lần nhập mật khẩu mới không khớp", field="repeated")
        renewed = ledger.signin.change_own_password(session, current, new)
    except DomainError as refused:
        return _refused(request, "doi_mat_khau.html", refused)
    response = redirect(request, PREFIX)
    set_cookie(request, response, SESSION_COOKIE, renewed.session_id)
    return response


@router.get("/quan-tri/mat-khau")
def reset_password_form(request: Request, ctx: AdminDep) -> Response:
    return render(request, "quan_tri_mat_khau.html", message=None, done=None)


@router.post("/quan-tri/mat-khau")
def reset_password(
    request: Request, ledger: LedgerDep, ctx: AdminDep, username: _FIELD = "", password: _FIELD = ""
) -> Response:
    """Set or reset another account's password; its owner must change it at next sign-in."""
    name = username.strip()
    try:
        if not well_formed_username(name):
            raise InvalidInput("không có người dùng này", field="username")
        ledger.signin.set_password(ctx, user_id_for(name), password)
    except DomainError as refused:
        return _refused(request, "quan_tri_mat_khau.html", refused, done=None)
    return render(request, "quan_tri_mat_khau.html", message=None, done=name)


def _refused(request: Request, template: str, refused: DomainError, **ctx: Any) -> Response:
    """The form again with the refusal's message, for what the user can correct; anything
    else (a role, a scope) is the error page."""
    status = status_of(refused)
    if status not in (404, 409, 422):
        return error_page(request, status, shown(refused.message))
    return render(request, template, status_code=status, message=shown(refused.message), **ctx)
