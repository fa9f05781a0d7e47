"""Pages in Vietnamese for the people who do the work, on the same app and services as the API.

Every page lives under ``/trang`` and is out of the OpenAPI schema. ``install(app)`` adds
them and their stylesheet; each module of pages has its own :func:`api.web.pages.page_router`
and is listed in :data:`MODULES`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import (
    audit,
    cases,
    certificate_pdf,
    certificates,
    complaints,
    home,
    imports,
    queues,
    registry,
    signin,
    statistics,
)
from api.web.pages import STATIC
from api.web.session import PREFIX

#: The modules of pages, each with its ``router``.
MODULES = (
    signin,
    home,
    cases,
    certificates,
    certificate_pdf,
    complaints,
    registry,
    imports,
    queues,
    audit,
    statistics,
)

router = APIRouter(include_in_schema=False)
for _module in MODULES:
    router.include_router(_module.router)


def install(app: FastAPI) -> None:
    """Add the pages and serve their stylesheet under /trang/static."""
    app.include_router(router)
    app.include_router(certificates.public)  # /xac-minh: no sign-in
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="web-static")
