"""The pages of a province under the national app (``/tinh/{code}/trang/...``), over real
HTTP on three SQLite stores with the demo loaded in two of them: a browser signs in through
the page's own form, follows every link, stylesheet and form of every page it reaches as
each demo account, and never leaves the province it started in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.provinces import create_national_app
from api.web.pages import STATIC
from application.clients.demo import demo_passwords, load_demo
from application.clients.provinces import Provinces
from tests.api.pages import Visitor, csrf_of
from tests.provinces import deployment, provinces
from tests.web.conftest import SIGNED_AT

__all__ = ["deployment", "provinces"]  # fixtures

HOME = "01"
#: The other province with the demo: its sessions, links and forms are not ``HOME``'s.
OTHER = "79"
_ATTRIBUTE = re.compile(r'\b(href|action|src)="([^"]*)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
#: Distinct routes each account follows at most (a case page, not every case's page).
BUDGET = 80


@dataclass
class World:
    app: object
    passwords: dict[str, dict[str, str]]  # code -> username -> password


@pytest.fixture
def world(provinces: Provinces) -> Iterator[World]:
    passwords = {}
    for code in (HOME, OTHER):
        ledger = provinces.ledger_for(code)
        load_demo(ledger)
        ledger.auditor.make_checkpoint(SIGNED_AT)
        passwords[code] = {user: password for _, user, password in demo_passwords(ledger)}
    for ledger in provinces.ledgers.values():
        ledger.settings.projections_in_api = True
    app = create_national_app(provinces.ledger_for(HOME).settings, provinces=provinces)
    with TestClient(app):
        yield World(app, passwords)


def inside(url: str, code: str) -> bool:
    """``url`` (as a page wrote it, resolved) is a page, file or form of province ``code``."""
    parts = urlsplit(url)
    return parts.netloc in ("", "testserver") and parts.path.startswith(f"/tinh/{code}/")


def links_of(page_url: str, html: str) -> list[tuple[str, str]]:
    """Every href, src and form action of the page, resolved against the page's address."""
    return [
        (kind, urljoin(page_url, value))
        for kind, value in _ATTRIBUTE.findall(html)
        if not value.startswith("#")
    ]


def shape(url: str) -> str:
    """A route, not a record: ids and numbers made alike, the query's names kept."""
    parts = urlsplit(url)
    names = sorted(pair.split("=", 1)[0] for pair in parts.query.split("&") if pair)
    return _ID.sub("N", parts.path) + "?" + "&".join(names)


def sign_in_through_the_pages(world: World, code: str, username: str) -> Visitor:
    """Signed out, a page of the province sends to its sign-in form; the form's own action
    and ``next`` bring the browser back to the page, still in the province."""
    visitor = Visitor(world.app)
    wanted = f"/tinh/{code}/trang/hang-doi"
    sent = visitor.get(wanted, status=303).headers["location"]
    assert sent == f"/tinh/{code}/trang/dang-nhap?next=/trang/hang-doi"
    form_page = visitor.get(sent)
    [(attributes, body)] = [f for f in _FORM.findall(form_page.text) if "password" in f[1]]
    action = re.search(r'action="([^"]*)"', attributes)
    assert action and action.group(1) == f"/tinh/{code}/trang/dang-nhap"
    fields = dict(_HIDDEN.findall(body))
    assert fields["next"] == "/trang/hang-doi" and fields["csrf"] == csrf_of(form_page.text)
    data = {**fields, "username": username, "password": world.passwords[code][username]}
    signed = visitor.client.post(action.group(1), data=data)
    assert signed.status_code == 303, signed.text[-400:]
    assert signed.headers["location"] == wanted
    assert f"Path=/tinh/{code}/trang" in signed.headers["set-cookie"]
    return visitor


def crawl(visitor: Visitor, code: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Follow every link of every page reached from the start page (each route once); every
    href, src and action must stay in province ``code``. Returns the routes followed (with
    the page each gave, if HTML) and the forms (action, form body) that post."""
    start = f"/tinh/{code}/trang"
    queue, seen, posts = [start], {shape(start)}, []
    pages: dict[str, str] = {}
    while queue:
        url = queue.pop(0)
        answer = visitor.client.get(url)
        assert answer.status_code in (200, 303), (url, answer.status_code, answer.text[-400:])
        if answer.status_code == 303:
            assert inside(answer.headers["location"], code), (url, answer.headers["location"])
            continue
        if not answer.headers["content-type"].startswith("text/html"):
            continue  # a stylesheet, a download
        pages[shape(url)] = answer.text
        for kind, link in links_of(url, answer.text):
            assert inside(link, code), f"{url} has {kind}={link}, outside /tinh/{code}/"
        gets = [link for kind, link in links_of(url, answer.text) if kind != "action"]
        for attributes, body in _FORM.findall(answer.text):
            action = urljoin(url, re.findall(r'action="([^"]*)"', attributes)[0])
            if 'method="post"' in attributes:
                posts.append((action, body))
            else:
                gets.append(action)
        for link in gets:
            if shape(link) not in seen and len(seen) < BUDGET:
                seen.add(shape(link))
                queue.append(link)
    return {route: pages.get(route, "") for route in seen}, posts


@pytest.mark.parametrize("deployment", ["sqlite"], indirect=True)
def test_every_link_and_form_of_every_page_stays_in_its_province(world: World):
    followed: dict[str, str] = {}
    certificates = 0
    for username in sorted(world.passwords[HOME]):
        visitor = sign_in_through_the_pages(world, HOME, username)
        routes, posts = crawl(visitor, HOME)
        followed |= routes
        certificate = routes.get("/tinh/N/trang/ho-so/N/giay-chung-nhan?")
        if certificate:  # its QR code and printed address: the province's public check
            [address] = re.findall(r"Quét mã để kiểm tra: ([^\s<]+)", certificate)
            assert address.startswith(f"http://testserver/tinh/{HOME}/xac-minh/"), address
            check = visitor.client.get(address)
            assert check.status_code == 200, check.text[-300:]
            for kind, link in links_of(address, check.text):
                assert inside(link, HOME), f"{address} has {kind}={link}"
            certificates += 1
        # every form posts to the province: its page answers (HTML), or sends on inside it
        for action, body in posts:
            if action.endswith("/trang/dang-xuat"):
                continue  # last, below
            answer = visitor.client.post(action, data=dict(_HIDDEN.findall(body)))
            assert answer.headers["content-type"].startswith("text/html"), (username, action)
            if answer.status_code == 303:
                assert inside(answer.headers["location"], HOME), (action, answer.headers)
        # the session is the province's: another province's pages do not know it
        elsewhere = visitor.client.get(f"/tinh/{OTHER}/trang")
        assert elsewhere.status_code == 303
        assert elsewhere.headers["location"].startswith(f"/tinh/{OTHER}/trang/dang-nhap")
        out = visitor.client.post(
            f"/tinh/{HOME}/trang/dang-xuat", data={"csrf": visitor_csrf(visitor)}
        )
        assert out.status_code == 303
        assert out.headers["location"] == f"/tinh/{HOME}/trang/dang-nhap"
    # the crawl reached the pages of every role, not only the start page
    assert certificates > 0, "no account reached a certificate"
    for route in (
        "/trang/static/trang.css",
        "/trang/ho-so/N/giay-chung-nhan",
        "/trang/ho-so/N",
        "/trang/hang-doi",
        "/trang/khieu-nai",
        "/trang/thong-ke",
        "/trang/kiem-tra-ho-so/N",
        "/trang/nhat-ky",
        "/trang/quan-tri/mat-khau",
        "/trang/dang-ky",
        "/audit/checkpoint",
    ):
        assert any(r.startswith(f"/tinh/N{route}?") for r in followed), (route, sorted(followed))


def visitor_csrf(visitor: Visitor) -> str:
    return csrf_of(visitor.client.get(f"/tinh/{HOME}/trang").text)


def test_no_template_writes_a_link_from_the_site_root():
    """What the crawl cannot reach (a queue with no complaint in the demo, a refusal): every
    href, src and action of every template starts where the app is mounted (``{{ root }}``),
    or is relative to the page (``?``, ``#``)."""
    from_the_root = [
        f"{template.name}: {kind}={value}"
        for template in sorted((STATIC.parent / "templates").glob("*.html"))
        for kind, value in _ATTRIBUTE.findall(template.read_text(encoding="utf-8"))
        if not value.startswith(("{{ root }}/", "{{ root }}{{ ", "?", "#"))
    ]
    assert from_the_root == []


def test_only_the_pages_helpers_answer_with_a_redirect_or_a_cookie():
    """A redirect or a cookie path written elsewhere would miss the mount: they are made in
    api/web/pages.py (``redirect``, ``set_cookie``, ``delete_cookie``), from ``site``."""
    elsewhere = [
        f"{module.name}: {call}"
        for module in sorted(STATIC.parent.glob("*.py"))
        if module.name != "pages.py"
        for call in re.findall(
            r"RedirectResponse\(|\.set_cookie\(|\.delete_cookie\(|[\"']/trang/dang-nhap",
            module.read_text(encoding="utf-8"),
        )
    ]
    assert elsewhere == []
