"""Who is signed in to the pages, the CSRF guard of every form, and safe redirects.

A page gets the same :class:`CommandContext` and :class:`Principal` as an API route that
authenticates a bearer token (``api/deps.py``), so the same role and scope rules apply.
Signed out, a GET answers 303 to the sign-in page with ``next`` (a local path only); a
session whose password must change answers 303 to the change page. Paths are kept inside
the app (``/trang/...``) and prefixed with where it is mounted (:func:`site`) only when
sent to the browser.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from application.services.access import Principal
from application.services.signin import WebSession, csrf_matches, csrf_token_for
from domain.base import CommandContext
from domain.errors import NotAuthenticated
from domain.glossary import Role
from domain.text import refused_character

SESSION_COOKIE = "hoctap_phien"
#: A visitor not signed in gets a random value here; the sign-in form's token is bound to it.
VISITOR_COOKIE = "hoctap_khach"
CSRF_FIELD = "csrf"
PREFIX = "/trang"
SIGN_IN = f"{PREFIX}/dang-nhap"
CHANGE_PASSWORD = f"{PREFIX}/doi-mat-khau"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(Exception):
    """Not signed in (or the session ended): the page answers 303 to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PasswordChangeRequired(Exception):
    """The password was set by an administrator: change it before anything else."""


class CsrfRefused(Exception):
    """A form came without the token of this session (or visitor): 403."""


def local_path(candidate: str | None, default: str = PREFIX) -> str:
    """``candidate`` if it is a path on this site under /trang, else ``default``: ``next``
    never sends anyone to another host (``//evil``, ``https://``, ``/\\evil``)."""
    if not candidate or refused_character(candidate) or "\\" in candidate:
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or candidate.startswith("//"):
        return default
    if parts.path != PREFIX and not parts.path.startswith(PREFIX + "/"):
        return default
    return candidate


def root(request: Request) -> str:
    """Where this app is mounted (``/tinh/01`` under the national app, or a proxy's root
    path; empty for an app at the site's root): every link, form, redirect and cookie of
    the pages starts with it, so they stay in the app they came from."""
    return str(request.scope.get("root_path", ""))


def site(request: Request, path: str) -> str:
    """``path`` of this app (``/trang/...``) as the browser must ask for it."""
    return root(request) + path


def app_path(request: Request) -> str:
    """The request's path inside this app (``/trang/...``), without where it is mounted."""
    path, mount = request.url.path, root(request)
    return path[len(mount) :] if mount and path.startswith(mount) else path


def _requested(request: Request) -> str:
    query = request.url.query
    return app_path(request) + (f"?{query}" if query else "")


def current_session(request: Request) -> WebSession | None:
    """The request's live session, looked up once per request."""
    if "web_session" not in request.state._state:
        session_id = request.cookies.get(SESSION_COOKIE)
        found = None
        if session_id and len(session_id) <= 128:
            try:
                found = request.app.state.ledger.signin.session(session_id)
            except NotAuthenticated:
                found = None
        request.state.web_session = found
    session: WebSession | None = request.state.web_session
    return session


def visitor_secret(request: Request) -> str:
    """The visitor cookie's value, made (and later set on the response) if missing."""
    value = request.cookies.get(VISITOR_COOKIE) or request.state._state.get("new_visitor")
    if not value or len(value) > 128:
        value = secrets.token_urlsafe(32)
        request.state.new_visitor = value
    return value


def csrf_token(request: Request) -> str:
    """The token every form on the page carries: bound to the session, or to the visitor."""
    session = current_session(request)
    return session.csrf_token if session else csrf_token_for(visitor_secret(request))


async def csrf_guard(request: Request) -> None:
    """Every POST of every page carries the token of its session (or, signed out, of its
    visitor cookie); without it, or with another, the page answers 403."""
    if request.method not in _UNSAFE:
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or isinstance(sent, UploadFile) or len(sent) > 128:
        raise CsrfRefused()
    session = current_session(request)
    secret = session.session_id if session else request.cookies.get(VISITOR_COOKIE)
    if not secret or not csrf_matches(secret, sent):
        raise CsrfRefused()


def signed_in_session(request: Request) -> WebSession:
    """The session, even one whose password must change (the change page and sign-out)."""
    session = current_session(request)
    if session is None:
        raise SignInRequired(_requested(request))
    return session


AnySessionDep = Annotated[WebSession, Depends(signed_in_session)]


def signed_in(session: AnySessionDep) -> WebSession:
    if session.must_change_password:
        raise PasswordChangeRequired()
    return session


SessionDep = Annotated[WebSession, Depends(signed_in)]


def principal_of(session: SessionDep) -> Principal:
    return session.principal


SignedInDep = Annotated[Principal, Depends(principal_of)]


def _context(principal: Principal, roles: tuple[Role, ...]) -> CommandContext:
    request_id = str(uuid.uuid4())
    return principal.context(roles, request_id, request_id)


def page_acting_as(*roles: Role) -> Callable[..., Awaitable[CommandContext]]:
    """The command context of a page acting in one of ``roles`` (403 otherwise), as
    :func:`api.deps.acting_as` gives an API route."""

    async def dependency(principal: SignedInDep) -> CommandContext:
        return _context(principal, roles)

    dependency.__name__ = "page_acting_as_" + "_or_".join(r.value for r in roles)
    return dependency


def reading_context(principal: Principal) -> CommandContext:
    """The context of reading, a staff role first, as :func:`api.deps.reader`."""
    staff_first = sorted(principal.roles, key=lambda role: role is Role.CITIZEN)
    return _context(principal, tuple(staff_first))


async def page_reader(principal: SignedInDep) -> CommandContext:
    return reading_context(principal)


PageReaderDep = Annotated[CommandContext, Depends(page_reader)]


def sign_in_url(request: Request, next_path: str) -> str:
    """The sign-in page of this app, back to ``next_path`` (a path inside the app) after."""
    return f"{site(request, SIGN_IN)}?next={quote(local_path(next_path), safe='/')}"
