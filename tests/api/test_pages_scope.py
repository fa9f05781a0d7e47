"""The scope matrix of the pages: every GET page under /trang × every demo account (and a
staff account linked to a person, and a visitor not signed in) → 200, 303 to sign-in, or
403. Pages of a case answer exactly as the API's read of the same case does for that user,
so the same role and scope rules hold on both. POST pages are covered by the CSRF class
test (tests/api/test_pages_signin.py) and the officer and citizen flows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from application.clients.demo import DEMO_SIGN_INS, demo_passwords, load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.access import user_id_for
from domain.assessment import AssessmentCase, case_id_for
from domain.base import CommandContext
from domain.glossary import Role, TitleModel
from tests.api.pages import CONSOLE, PASSWORD, Visitor, give_password
from tests.conftest import make_settings

#: A council member who is also a citizen (the demo's second council member, the citizen's
#: husband): a staff account linked to a person.
LINKED = "demo-council-2"
ACCOUNTS = [username for _, username in DEMO_SIGN_INS] + [LINKED]
SIGNED_OUT = "(chưa đăng nhập)"
ADMIN = {"demo-admin"}
REGISTRARS = {"demo-village", "demo-commune", "demo-admin"}
IMPORTERS = {"demo-commune", "demo-admin"}
QUEUES = {"demo-reviewer", "demo-council-1", LINKED, "demo-signer", "demo-complaints"}
AUDITORS = {"demo-inspector", "demo-admin"}
STATISTICS = {"demo-reporting", "demo-inspector", "demo-admin"}
#: Who may list complaints, as GET /complaints.
COMPLAINT_WATCHERS = {"demo-complaints", "demo-commune", "demo-inspector", "demo-admin"}
EVERYONE = set(ACCOUNTS)
#: Pages anyone may open, signed in or not.
PUBLIC = {"/trang/dang-nhap", "/trang/nhat-ky", "/trang/kiem-tra"}
#: Pages whose answer is the API's for the same case (path → API path).
LIKE_THE_API = {
    "/trang/ho-so/{case_id}": "/cases/{case_id}",
    "/trang/ho-so/{case_id}/giay-chung-nhan": "/cases/{case_id}",  # both cases are granted
    "/trang/ho-so/{case_id}/giay-chung-nhan.pdf": "/cases/{case_id}",  # the same, as a PDF
    "/trang/ho-so/{case_id}/chung-chi.json": "/cases/{case_id}",
    "/trang/ho-so/{case_id}/minh-chung/{evidence_id}": "/cases/{case_id}/evidence/{evidence_id}",
    "/trang/khieu-nai/{complaint_id}": "/complaints/{complaint_id}",
}
#: Who gets 200 on each other page; every other account gets 403.
ALLOWED: dict[str, set[str]] = {
    "/trang": EVERYONE,
    "/trang/ho-so": EVERYONE,
    "/trang/doi-mat-khau": EVERYONE,
    "/trang/nhat-ky": EVERYONE,
    "/trang/kiem-tra": EVERYONE,
    "/trang/quan-tri/mat-khau": ADMIN,
    "/trang/dang-ky": REGISTRARS,
    "/trang/nhap-danh-sach": IMPORTERS,
    "/trang/nhap-danh-sach/mau/{kind}": IMPORTERS,
    "/trang/hang-doi": QUEUES,
    "/trang/khieu-nai": COMPLAINT_WATCHERS,
    "/trang/kiem-tra-ho-so": AUDITORS,
    "/trang/kiem-tra-ho-so/{case_id}": AUDITORS,
    "/trang/kiem-tra-ho-so/{case_id}/goi-kiem-tra.json": AUDITORS,
    "/trang/thong-ke": STATISTICS,
    "/trang/thong-ke/tai/{name}.{fmt}": STATISTICS,
}
QUERIES = {"/trang/thong-ke/tai/{name}.{fmt}": "?nam=2026", "/trang/thong-ke": "?nam=2026"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo province on SQLite, every account signed in once (sign-ins are slow by
    design: argon2)."""
    settings: Settings = make_settings("sqlite", tmp_path_factory.mktemp("pages-scope") / "var")
    settings.projections_in_api = True
    clock = FixedClock(datetime(2026, 4, 1, 9, 0, tzinfo=VIETNAM))
    ledger = Ledger(settings, clock=clock)
    load_demo(ledger)
    passwords = {user: password for _, user, password in demo_passwords(ledger)}
    give_password(ledger, LINKED)
    passwords[LINKED] = PASSWORD
    app = create_app(settings, ledger=ledger)
    with TestClient(app):
        app.state.read_models.catch_up()
        visitors = {SIGNED_OUT: Visitor(app)}
        tokens = {}
        for username in ACCOUNTS:
            visitor = Visitor(app)
            assert visitor.sign_in(username, passwords[username]).status_code == 303, username
            visitors[username] = visitor
            tokens[username] = ledger.access.issue_token(CONSOLE, user_id_for(username)).token
        citizen = ledger.access.user_by_name("demo-citizen").person_id
        assert citizen is not None
        case_id = case_id_for(citizen, TitleModel.LEARNING_CITIZEN, 2026, 1)
        admin = {"Authorization": f"Bearer {tokens['demo-admin']}"}
        listed = visitors[SIGNED_OUT].client.get("/standings?limit=200", headers=admin).json()
        school = next(r["case_id"] for r in listed["items"] if r["model"] == "don_vi_hoc_tap")
        complaint = ledger.complaints.file_complaint(
            CommandContext(str(user_id_for("demo-citizen")), Role.CITIZEN.value, "test-pages"),
            case_ids=[case_id],
            grounds="Chỉ số 6 chưa được tính đủ",
            learnt_on=date(2026, 3, 2),
        ).id
        about_school = ledger.complaints.file_complaint(
            CommandContext(str(user_id_for("demo-commune")), Role.COMMUNE_OFFICER.value, "t"),
            case_ids=[UUID(school)],
            grounds="Trường đủ tiêu chí nhưng chưa được tính",
            learnt_on=date(2026, 3, 2),
        ).id
        yield {
            "app": app,
            "visitors": visitors,
            "tokens": tokens,
            "params": [
                params_of(ledger, case_id) | {"complaint_id": str(complaint)},
                params_of(ledger, UUID(school)) | {"complaint_id": str(about_school)},
            ],
        }
    app.state.read_models.close()  # an app given a ledger leaves its views open
    ledger.close()


def params_of(ledger: Ledger, case_id: UUID) -> dict[str, str]:
    """Path parameters naming this case and one of its evidence files."""
    case = ledger.records.get(AssessmentCase, case_id)
    evidence_id = next(iter(case.evidence))
    return {
        "case_id": str(case_id),
        "evidence_id": str(evidence_id),
        "name": "thong-ke",
        "fmt": "csv",
        "kind": "households",
    }


def page_routes(app: Any) -> list[str]:
    return sorted(
        {
            context.path_format
            for context in iter_route_contexts(app.routes)
            if "GET" in (context.methods or ()) and context.path_format.startswith("/trang")
        }
    )


def test_the_matrix_covers_every_page(world: dict[str, Any]):
    covered = set(ALLOWED) | set(LIKE_THE_API) | {"/trang/dang-nhap"}
    assert set(page_routes(world["app"])) == covered


def concrete(route: str, params: dict[str, str]) -> str:
    return route.format(**params) + QUERIES.get(route, "")


@pytest.mark.parametrize("who", [SIGNED_OUT, *ACCOUNTS])
def test_every_page_answers_each_account_as_the_matrix_says(world: dict[str, Any], who: str):
    visitor: Visitor = world["visitors"][who]
    wrong = []
    for params in world["params"]:
        for route in page_routes(world["app"]):
            path = concrete(route, params)
            got = visitor.get(path, status=None).status_code
            expected = expected_status(world, who, route, params)
            if got != expected:
                wrong.append((path, expected, got))
    assert wrong == []


def expected_status(world: dict[str, Any], who: str, route: str, params: dict[str, str]) -> int:
    if route == "/trang/dang-nhap":
        return 200 if who == SIGNED_OUT else 303  # signed in: on to the start page
    if who == SIGNED_OUT:
        return 200 if route in PUBLIC else 303
    if route in LIKE_THE_API:
        api = LIKE_THE_API[route].format(**params)
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return int(world["visitors"][SIGNED_OUT].client.get(api, headers=headers).status_code)
    return 200 if who in ALLOWED[route] else 403


def test_the_case_page_is_open_to_some_and_closed_to_others(world: dict[str, Any]):
    """The API parity above is no tautology: the case (and the complaint about it) is
    readable by some accounts only."""
    mine, school = world["params"]
    for params, open_to, closed_to in (
        (mine, "demo-citizen", None),
        (school, "demo-commune", "demo-citizen"),
    ):
        path = concrete("/trang/ho-so/{case_id}", params)
        assert world["visitors"][open_to].get(path, status=None).status_code == 200
        if closed_to:
            assert world["visitors"][closed_to].get(path, status=None).status_code == 403
    for params, open_to, closed_to in (
        (mine, "demo-citizen", None),
        (school, "demo-complaints", "demo-citizen"),
    ):
        path = concrete("/trang/khieu-nai/{complaint_id}", params)
        assert world["visitors"][open_to].get(path, status=None).status_code == 200
        if closed_to:
            assert world["visitors"][closed_to].get(path, status=None).status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in_with_the_page_to_return_to(
    world: dict[str, Any],
):
    path = concrete("/trang/ho-so/{case_id}", world["params"][0])
    response = world["visitors"][SIGNED_OUT].get(path, status=303)
    assert response.headers["location"] == f"/trang/dang-nhap?next={path}"
