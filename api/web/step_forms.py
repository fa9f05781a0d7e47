"""One way to take a step from a page's form, for cases and complaints alike.

A step is a form posted to ``…/buoc/{slug}``: its fields are read into the API's schema, the
command runs with the version the page showed, and a refusal shows the page again with the
message at that step's form and what was typed kept. A refusal that means "not yours" (401,
403, 404) is not shown at the form: it goes to the error page like any other request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from api.problems import status_of
from api.web.pages import redirect
from api.web.session import page_acting_as, reading_context
from application.services.access import Principal
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput, NotFound
from domain.glossary import Role
from domain.text import shown

#: Form fields that are the page's, not the step's: never typed back into a form.
PAGE_FIELDS = ("csrf", "version")


class FormStep(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def roles(self) -> tuple[Role, ...]: ...
    @property
    def schema(self) -> type[BaseModel]: ...


@dataclass(frozen=True)
class Refused:
    """A step refused: the page is shown again with this at the step's form."""

    slug: str
    status: int
    message: str
    form: dict[str, str]

    def page(self) -> dict[str, Any]:
        """The page's arguments that show the refusal: status, failed step, message, form."""
        return {
            "status_code": self.status,
            "failed": self.slug,
            "message": self.message,
            "form": self.form,
        }


def version_read(value: str | None, what: str) -> int:
    """The record's version the page showed (its hidden ``version`` field)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        raise InvalidInput(f"thiếu phiên bản {what} đã đọc; hãy tải lại trang", field="version")
    return int(value)


S = TypeVar("S", bound=FormStep)
R = TypeVar("R")


async def take_step(
    request: Request,
    principal: Principal,
    slug: str,
    steps: Mapping[str, S],
    *,
    load: Callable[[CommandContext], R],
    read: Callable[[S, Mapping[str, str], R], dict[str, Any]],
    run: Callable[[S, CommandContext, BaseModel, int], Any],
    what: str,
    again: Callable[[CommandContext, Refused], Response],
    done: str,
) -> Response:
    """Run the step ``slug`` of ``steps`` on the record ``load`` reads (in the reader's
    scope), then go to ``done``; a refusal in the form's terms goes to ``again``."""
    step = steps.get(slug)
    if step is None:
        raise NotFound("không có bước này", step=shown(slug[:64]))
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    reading = reading_context(principal)
    try:
        ctx = await page_acting_as(*step.roles)(principal)
        record = load(reading)
        body = step.schema.model_validate(read(step, form, record))
        run(step, ctx, body, version_read(form.get("version"), what))
    except (ValidationError, DomainError) as error:
        return again(reading, refusal(error, slug, form))
    return redirect(request, done)


def refusal(error: ValidationError | DomainError, slug: str, form: Mapping[str, str]) -> Refused:
    """What to show at the form ``slug`` for ``error``, the page's own fields left out; an
    error that means "not yours" (401, 403, 404) is raised again, for the error page."""
    kept = {k: v for k, v in form.items() if k not in PAGE_FIELDS}
    if isinstance(error, ValidationError):
        return Refused(slug, 422, validation_message(error), kept)
    if status_of(error) in (401, 403, 404):
        raise error
    return Refused(slug, status_of(error), shown(error.message), kept)


def validation_message(error: ValidationError) -> str:
    """The first problem, as the API's 422 says it (``where: what``)."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "biểu mẫu"
    return shown(f"{where}: {first.get('msg', '')}")
