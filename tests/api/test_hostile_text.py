"""Text and numbers at the edge: a control character, a lone surrogate or a digit of another
script is refused (422 naming the field) before anything is written, on every backend.

The field list is read from the app's own OpenAPI document, so a route added later is
covered without touching this file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from application.ledger import Ledger
from domain.base import CommandContext
from domain.glossary import Role
from tests.api.helpers import Api
from tests.api.test_time_travel import open_citizen_case

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "hostile-setup")
#: Refused in every text field, single- or multi-line: every Cc but TAB, LF and CR.
CONTROL = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"]
SURROGATES = [chr(c) for c in (0xD800, 0xDBFF, 0xDC00, 0xDFFF)]
NONCHARACTERS = ["\ufdd0", "\ufffe", "\uffff", "\U0010fffe"]
SAFE = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=4)
#: Each example sends one request per field; the fixture is reused, as nothing is written.
FEW = hypothesis_settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure lists every field it missed
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def hostile(refused: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, bad, b: a + bad + b, SAFE, st.sampled_from(refused), SAFE)


# --- the string fields of every POST route, from OpenAPI ----------------------------------


Path = tuple[str | int, ...]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_fields(
    schema: dict[str, Any], components: dict[str, Any], path: Path = ()
) -> Iterator[tuple[Path, bool]]:
    """(path, whether the field has its own pattern) of every free string in a body schema.

    A JSON object of any shape (criteria content, rules) yields a key inside it.
    """
    schema = _resolve(schema, components)
    options = [_resolve(option, components) for option in schema.get("anyOf", ())]
    numeric = any(option.get("type") in ("number", "integer") for option in options)
    for option in options:
        if numeric and option.get("type") == "string":  # a number sent as text (Decimal)
            yield path, True
        elif option.get("type") != "null":
            yield from string_fields(option, components, path)
    kind = schema.get("type")
    if kind == "string" and not {"format", "enum", "const", "contentMediaType"} & set(schema):
        yield path, "pattern" in schema
    elif kind == "array":
        yield from string_fields(schema["items"], components, (*path, 0))
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from string_fields(sub, components, (*path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            yield from string_fields(extra, components, (*path, "x"))
        elif extra is True or (extra == {} and not schema.get("properties")):
            yield (*path, "x"), False


def post_fields(openapi: dict[str, Any]) -> list[tuple[str, str, Path, bool]]:
    """(route, media type, field path, has a pattern) for every POST body's string fields."""
    components = openapi["components"]["schemas"]
    found = []
    for route, operations in openapi["paths"].items():
        body = operations.get("post", {}).get("requestBody", {}).get("content", {})
        for media, content in body.items():
            for path, patterned in string_fields(content["schema"], components):
                found.append((route, media, path, patterned))
    return found


def nested(path: Path, value: Any) -> Any:
    """A body holding ``value`` at ``path`` (and nothing else)."""
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def concrete(route: str, case_id: UUID) -> str:
    """The route with ids in its path: a real case (a route may look for it before reading
    the body), anything else a fresh id."""
    parts = route.replace("{case_id}", str(case_id)).split("/")
    return "/".join(str(uuid.uuid4()) if p.startswith("{") else p for p in parts)


@pytest.fixture
def everyone(api: Api) -> tuple[Api, UUID]:
    """A nationwide account holding every role (no route refuses it before reading the
    body), and a case."""
    ledger = api.ledger
    assert ledger is not None
    case_id = open_citizen_case(api)
    user = ledger.create_user(CONSOLE, "every-role", list(Role))
    api.tokens["every-role"] = ledger.issue_token(CONSOLE, user.id).token
    return api, case_id


def log_position(ledger: Ledger | None) -> int:
    assert ledger is not None
    return ledger.store.recorder.max_notification_id() or 0


def refused_at(response: Any, path: Path, patterned: bool) -> bool:
    """A 422 problem with an error at ``path`` for a refused character (or at a parent,
    naming the rest of the path: a JSON object checked as a whole)."""
    if response.status_code != 422:
        return False
    assert response.headers["content-type"].startswith("application/problem+json")
    wanted = ["body", *map(str, path)]
    for error in response.json().get("errors", []):
        loc = error["loc"]
        if loc == wanted and (patterned or error["type"] == "refused_character"):
            return True
        rest = ".".join(wanted[len(loc) :])
        if wanted[: len(loc)] == loc and error["type"] == "refused_character" and rest:
            return error["msg"].startswith(f"{rest}: ")
    return False


def test_the_field_list_covers_every_kind_of_body(api: Api):
    fields = post_fields(api.client.app.openapi())
    routes = {route for route, *_ in fields}
    assert {"/persons", "/complaints", "/criteria-sets", "/cases/{case_id}/evidence"} <= routes
    assert ("/decisions", "application/json", ("rulings", 0, "reason"), False) in fields
    assert len(fields) > 60


@FEW
@given(data=st.data())
def test_every_string_field_of_every_post_route_refuses_control_characters(
    everyone: tuple[Api, UUID], data: st.DataObject
):
    api, case_id = everyone
    fields = post_fields(api.client.app.openapi())
    before = log_position(api.ledger)
    headers = api.headers("every-role", **{"If-Match": '"1"'})
    missed = []
    for route, media, path, patterned in fields:
        path_url = concrete(route, case_id)
        if media == "multipart/form-data":  # form fields are bytes on the wire: no surrogates
            text = data.draw(hostile(CONTROL + NONCHARACTERS), label=f"{route} {path}")
            form = {str(path[0]): text}
            response = api.client.post(path_url, data=form, headers=headers)
        else:
            refused = CONTROL + SURROGATES + NONCHARACTERS
            text = data.draw(hostile(refused), label=f"{route} {path}")
            body = json.dumps(nested(path, text))  # ensure_ascii: "\ud800" travels escaped
            sent = headers | {"Content-Type": "application/json"}
            response = api.client.post(path_url, content=body, headers=sent)
        if not refused_at(response, path, patterned):
            missed.append((route, path, repr(text), response.status_code, response.text[:300]))
    assert not missed
    assert log_position(api.ledger) == before
