"""The national app's own routes × every role, bound to a unit or nationwide, of any
province's store × no token or a forged one: who gets 200, 401 or 403 (real HTTP on three
stores). Each province's routes under ``/tinh/{code}`` are the single-store API, which
tests/api/test_scope_matrix.py covers; a new national route without a row here fails
:func:`test_the_matrix_covers_every_national_route`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from api.provinces import create_national_app
from application.clients.provinces import Provinces
from domain.glossary import Role, UnitLevel
from tests.provinces import CODES, CONSOLE, deployment, provinces

__all__ = ["deployment", "provinces"]  # fixtures

DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
#: Who calls: a role's account with a unit or nationwide (no unit), or no account at all.
ANONYMOUS, FORGED = "anonymous", "forged"


@dataclass(frozen=True)
class Caller:
    role: Role | None
    nationwide: bool = False
    token: str = ""  # ANONYMOUS or FORGED when role is None

    @property
    def name(self) -> str:
        if self.role is None:
            return self.token
        return f"{self.role.value} ({'toàn quốc' if self.nationwide else 'một đơn vị'})"


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    params: dict[str, str]
    expected: Callable[[Caller], int]


def public(_: Caller) -> int:
    return 200


def nationwide_readers(caller: Caller) -> int:
    """The national statistics: a nationwide reporting officer, inspector or administrator."""
    if caller.role is None:
        return 401
    readers = (Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)
    return 200 if caller.nationwide and caller.role in readers else 403


ROWS = [
    Row("GET", "/tinh", {}, public),
    Row("GET", "/thong-ke-toan-quoc", {"cycle_year": "2026"}, nationwide_readers),
]
CALLERS = [
    Caller(None, token=ANONYMOUS),
    Caller(None, token=FORGED),
    *(Caller(role, nationwide) for role in Role for nationwide in (False, True)),
]


@dataclass
class World:
    client: TestClient
    provinces: Provinces
    tokens: dict[Caller, str]


@pytest.fixture
def world(provinces: Provinces) -> Iterator[World]:
    """Every role twice in each province's store: in a unit of the province, and nationwide;
    each caller's token from a different province in turn (any store's token counts)."""
    tokens: dict[Caller, str] = {}
    units = {}
    for code in CODES:
        units[code] = (
            provinces.ledger_for(code)
            .registry.establish_unit(
                CONSOLE,
                code=code,
                name=f"Tỉnh {code}",
                level=UnitLevel.PROVINCE,
                unit_type="tinh",
                parent_id=None,
                valid_from=date(2025, 7, 1),
            )
            .id
        )
    for n, caller in enumerate(c for c in CALLERS if c.role is not None):
        code = CODES[n % len(CODES)]
        ledger = provinces.ledger_for(code)
        unit = None if caller.nationwide else units[code]
        name = f"{caller.role.value.replace('_', '-')}-{'tq' if caller.nationwide else 'dv'}"  # type: ignore[union-attr]
        user = ledger.access.create_user(CONSOLE, name, [caller.role], unit)  # type: ignore[list-item]
        tokens[caller] = ledger.access.issue_token(CONSOLE, user.id).token
    tokens[Caller(None, token=FORGED)] = "htl_x.y"
    for ledger in provinces.ledgers.values():
        ledger.settings.projections_in_api = True
    app = create_national_app(provinces.ledger_for(CODES[0]).settings, provinces=provinces)
    with TestClient(app) as client:
        yield World(client, provinces, tokens)


def test_the_matrix_covers_every_national_route(world: World):
    app = world.client.app
    served, mounts = set(), set()
    for route in app.routes:  # type: ignore[attr-defined]
        path = str(getattr(route, "path", route))
        if path in DOCS or (isinstance(route, Mount) and isinstance(route.app, StaticFiles)):
            continue  # the docs, their offline scripts and styles: public
        if isinstance(route, Mount):
            # a province's app: the single-store API on that province's store, in its matrix
            mounts.add(path)
            ledger = route.app.state.ledger  # type: ignore[attr-defined]
            assert ledger is world.provinces.ledger_for(path.removeprefix("/tinh/"))
        elif isinstance(route, APIRoute):
            served |= {(m, path) for m in route.methods if m not in {"HEAD", "OPTIONS"}}
        else:
            served.add(("?", path))
    covered = {(row.method, row.route) for row in ROWS}
    assert served - covered == set(), "national routes missing from the matrix"
    assert covered - served == set(), "the matrix names routes the national app does not serve"
    assert mounts == {f"/tinh/{code}" for code in CODES}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.route}")
def test_every_caller_gets_what_the_national_route_allows(world: World, row: Row):
    wrong = []
    for caller in CALLERS:
        token = world.tokens.get(caller)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = world.client.request(row.method, row.route, params=row.params, headers=headers)
        if answer.status_code != row.expected(caller):
            wrong.append(f"{caller.name}: {answer.status_code}, not {row.expected(caller)}")
        elif answer.status_code >= 400:
            assert answer.headers["content-type"].startswith("application/problem+json")
    assert wrong == [], "\n".join(wrong)
