"""A person at a browser, for page tests: signs in through the form, keeps the cookies,
and sends each form with the token the page gave (real HTTP through TestClient)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from application.ledger import Ledger
from domain.access import user_id_for
from domain.base import CommandContext
from domain.glossary import Role

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test-pages")
PASSWORD = "mật-khẩu-thử-1"
_TOKEN = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def give_password(ledger: Ledger, username: str, password: str = PASSWORD) -> None:
    """A password the user has already changed to (no forced change at sign-in)."""
    ledger.signin.set_password(CONSOLE, user_id_for(username), password)
    record = ledger.signin.credentials.password(str(user_id_for(username)))
    assert record is not None
    ledger.signin.credentials.put_password(
        type(record)(record.user_id, record.hash, must_change=False)
    )


def csrf_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class Visitor:
    """One browser: its own cookies."""

    def __init__(self, app: Any) -> None:
        self.client = TestClient(app, follow_redirects=False)

    def get(self, path: str, status: int | None = 200):
        response = self.client.get(path)
        if status is not None:
            assert response.status_code == status, (response.status_code, response.text[-600:])
        return response

    def token(self, path: str = "/trang/dang-nhap") -> str:
        return csrf_of(self.client.get(path, follow_redirects=True).text)

    def submit(self, path: str, form: dict[str, Any], *, token_from: str | None = None, **kw: Any):
        """POST ``form`` with the token of the page ``token_from`` (default: ``path``)."""
        data = {"csrf": self.token(token_from or path), **form}
        return self.client.post(path, data=data, **kw)

    def sign_in(self, username: str, password: str = PASSWORD, next: str = "/trang"):
        return self.submit(
            "/trang/dang-nhap", {"username": username, "password": password, "next": next}
        )


_VERSION = re.compile(r'name="version" value="(\d+)"')


def version_of(html: str) -> str:
    found = _VERSION.search(html)
    assert found, "the page has no version field"
    return found.group(1)


def take_step(visitor: Visitor, case_id: Any, slug: str, fields: dict[str, Any], **kw: Any):
    """Fill a step's form on the case page, as read now (its token and version)."""
    page = visitor.get(f"/trang/ho-so/{case_id}")
    assert f"/buoc/{slug}" in page.text, f"no form for {slug} on the case page"
    action = f'action="/trang/ho-so/{case_id}/buoc/{slug}"'
    form = page.text[page.text.index(action) :].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    data = {**hidden, **fields}
    return visitor.client.post(f"/trang/ho-so/{case_id}/buoc/{slug}", data=data, **kw)


def alert_of(html: str) -> str:
    """The refusal a page shows (for assertion messages)."""
    found = re.search(r'class="error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else html[-300:]
