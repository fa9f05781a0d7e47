"""The pages' scope matrix, as tests/api/test_scope_matrix.py is the API's: every page is
listed; none but sign-in and the two public pages opens without signing in; every form
refuses a missing token; and each role reaches exactly the pages its work needs.

Pages whose role rules are tested with their forms (officer, citizen, queue pages) are listed
with ``roles=None``: here they are checked for sign-in and CSRF only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi.routing import iter_route_contexts

from application.clients.demo import DEMO_SIGN_INS
from domain.assessment import AssessmentCase
from domain.glossary import Role
from tests.web.conftest import Demo, signed_demo

AUDITORS = frozenset({Role.INSPECTOR, Role.ADMINISTRATOR})
REPORTERS = frozenset({Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR})
ANYONE = "anyone"  # no sign-in needed


@dataclass(frozen=True)
class Page:
    method: str
    route: str
    #: Who may open it: ANYONE, a set of roles, or None (any signed-in user here; its role
    #: rules are tested with its forms).
    roles: frozenset[Role] | str | None
    query: str = ""


PAGES = [
    Page("GET", "/trang/dang-nhap", ANYONE),
    Page("POST", "/trang/dang-nhap", ANYONE),
    Page("POST", "/trang/dang-xuat", None),
    Page("GET", "/trang/doi-mat-khau", None),
    Page("POST", "/trang/doi-mat-khau", None),
    Page("GET", "/trang/quan-tri/mat-khau", None),
    Page("POST", "/trang/quan-tri/mat-khau", None),
    Page("GET", "/trang", None),
    Page("GET", "/trang/ho-so", None),
    Page("GET", "/trang/ho-so/{case_id}", None),
    Page("POST", "/trang/ho-so/{case_id}/buoc/{slug}", None),
    Page("POST", "/trang/ho-so/{case_id}/minh-chung", None),
    Page("GET", "/trang/ho-so/{case_id}/minh-chung/{evidence_id}", None),
    Page("POST", "/trang/ho-so", None),
    Page("GET", "/trang/dang-ky", None),
    Page("POST", "/trang/dang-ky/cong-dan", None),
    Page("POST", "/trang/dang-ky/ho-gia-dinh", None),
    Page("GET", "/trang/hang-doi", None),
    Page("GET", "/trang/nhat-ky", ANYONE),
    Page("GET", "/trang/kiem-tra", ANYONE, "vi_tri=1"),
    Page("GET", "/trang/kiem-tra-ho-so", AUDITORS),
    Page("GET", "/trang/kiem-tra-ho-so/{case_id}", AUDITORS),
    Page("GET", "/trang/kiem-tra-ho-so/{case_id}/goi-kiem-tra.json", AUDITORS),
    Page("GET", "/trang/thong-ke", REPORTERS, "nam=2026"),
    Page("GET", "/trang/thong-ke/tai/{name}.{fmt}", REPORTERS, "nam=2026"),
]
USERS = {role: username for role, username in DEMO_SIGN_INS}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    with signed_demo(request.param, tmp_path_factory.mktemp("pages-scope") / "var") as demo:
        yield demo


def url(world: Demo, page: Page) -> str:
    case_id = world.granted_case()
    case = world.ledger.records.get(AssessmentCase, case_id)
    path = page.route.format(
        case_id=case_id,
        evidence_id=next(iter(case.evidence)),
        slug="tham-dinh",
        name="thong-ke",
        fmt="csv",
    )
    return path + (f"?{page.query}" if page.query else "")


def test_the_matrix_lists_every_page(world: Demo):
    served = {
        (method, context.path_format)
        for context in iter_route_contexts(world.app.routes)
        for method in context.methods or ()
        if context.path_format.startswith("/trang") and method not in {"HEAD", "OPTIONS"}
    }
    listed = {(p.method, p.route) for p in PAGES}
    assert served - listed == set(), "pages missing from the matrix"
    assert listed - served == set(), "the matrix names pages the app does not serve"


@pytest.mark.parametrize("page", [p for p in PAGES if p.method == "GET"], ids=lambda p: p.route)
def test_no_page_opens_signed_out_but_sign_in_and_the_public_ones(world: Demo, page: Page):
    answer = world.visitor().client.get(url(world, page))

    if page.roles == ANYONE:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/trang/dang-nhap?next=")


@pytest.mark.parametrize("page", [p for p in PAGES if p.method == "POST"], ids=lambda p: p.route)
@pytest.mark.parametrize("token", ["", "0" * 64, "khong-phai-ma"])
def test_every_form_refuses_a_missing_or_wrong_token(world: Demo, page: Page, token: str):
    visitor = world.visitor(USERS[Role.ADMINISTRATOR])
    form = {"csrf": token} if token else {}

    answer = visitor.client.post(url(world, page), data=form)

    assert answer.status_code == 403 and "biểu mẫu đã hết hạn" in answer.text


ROLE_PAGES = [p for p in PAGES if isinstance(p.roles, frozenset)]


@pytest.mark.parametrize("page", ROLE_PAGES, ids=lambda p: p.route)
@pytest.mark.parametrize("role", list(USERS), ids=lambda r: r.value)
def test_each_role_reaches_exactly_its_pages(world: Demo, page: Page, role: Role):
    answer = world.visitor(USERS[role]).client.get(url(world, page))

    assert isinstance(page.roles, frozenset)
    assert answer.status_code == (200 if role in page.roles else 403), answer.text[-400:]


def test_a_case_id_that_names_no_case_is_not_found_for_an_inspector(world: Demo):
    answer = world.visitor(USERS[Role.INSPECTOR]).client.get(f"/trang/kiem-tra-ho-so/{UUID(int=9)}")

    assert answer.status_code == 404
