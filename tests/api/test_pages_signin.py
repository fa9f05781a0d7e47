"""Signing in to the pages: passwords, lock-out, sessions, CSRF, forced change, redirects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from application.ledger import Ledger
from application.services.records import FixedClock
from application.services.signin import CLIENT_ATTEMPTS
from application.settings import Settings
from domain.access import user_id_for
from domain.glossary import Role
from tests.api.pages import CONSOLE, PASSWORD, Visitor, give_password


@pytest.fixture
def app(settings: Settings, ledger: Ledger) -> Iterator[Any]:
    settings.projections_in_api = True
    ledger.access.create_user(CONSOLE, "admin", [Role.ADMINISTRATOR])
    ledger.access.create_user(CONSOLE, "lan-can-bo", [Role.COMMUNE_OFFICER])
    give_password(ledger, "admin")
    give_password(ledger, "lan-can-bo")
    application = create_app(settings, ledger=ledger)
    try:
        with TestClient(application):
            yield application
    finally:  # an app given a ledger leaves its views open (a pool each, on PostgreSQL)
        application.state.read_models.close()


def signed_in(app: Any, username: str = "lan-can-bo") -> Visitor:
    visitor = Visitor(app)
    assert visitor.sign_in(username).status_code == 303
    return visitor


def test_a_right_password_opens_a_session_in_a_protected_cookie(app: Any):
    response = Visitor(app).sign_in("lan-can-bo", next="/trang/doi-mat-khau")
    assert response.status_code == 303
    assert response.headers["location"] == "/trang/doi-mat-khau"
    cookie = response.headers["set-cookie"]
    assert "hoctap_phien=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_start_page_greets_the_signed_in_user(app: Any):
    page = signed_in(app).get("/trang")
    assert '<html lang="vi">' in page.text and "lan-can-bo" in page.text


@pytest.mark.parametrize(
    ("username", "password"),
    [("lan-can-bo", "sai-mat-khau-1"), ("khong-co-ai", PASSWORD), ("LAN-CAN-BO", PASSWORD)],
)
def test_a_wrong_user_or_password_is_refused_with_the_same_message(
    app: Any, username: str, password: str
):
    response = Visitor(app).sign_in(username, password)
    assert response.status_code == 401
    assert "sai tên đăng nhập hoặc mật khẩu" in response.text
    assert "hoctap_phien" not in response.headers.get("set-cookie", "")


def test_five_failures_in_fifteen_minutes_lock_the_account_even_for_the_right_password(
    app: Any, clock: FixedClock
):
    visitor = Visitor(app)
    for _ in range(4):
        assert visitor.sign_in("lan-can-bo", "sai-mat-khau-1").status_code == 401
        clock.advance(minutes=3)
    fifth = visitor.sign_in("lan-can-bo", "sai-mat-khau-1")
    assert fifth.status_code == 429 and "tạm khóa" in fifth.text
    assert int(fifth.headers["retry-after"]) > 0
    assert visitor.sign_in("lan-can-bo").status_code == 429
    clock.advance(minutes=16)
    assert visitor.sign_in("lan-can-bo").status_code == 303


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(app: Any, clock: FixedClock):
    visitor = Visitor(app)
    for _ in range(8):
        assert visitor.sign_in("lan-can-bo", "sai-mat-khau-1").status_code == 401
        clock.advance(minutes=8)
    assert visitor.sign_in("lan-can-bo").status_code == 303


def test_one_client_trying_many_accounts_is_slowed_down(app: Any):
    visitor = Visitor(app)
    answers = [
        visitor.sign_in(f"nguoi-{n:03d}", "sai-mat-khau-1").status_code
        for n in range(CLIENT_ATTEMPTS + 1)
    ]
    assert answers[:CLIENT_ATTEMPTS] == [401] * CLIENT_ATTEMPTS
    assert answers[-1] == 429


@pytest.mark.parametrize(
    ("minutes", "alive"),
    [(29, True), (31, False)],
)
def test_a_session_ends_after_thirty_idle_minutes(
    app: Any, clock: FixedClock, minutes: int, alive: bool
):
    visitor = signed_in(app)
    clock.advance(minutes=minutes)
    response = visitor.get("/trang", status=None)
    assert response.status_code == (200 if alive else 303)


def test_a_session_ends_eight_hours_after_sign_in_however_busy(app: Any, clock: FixedClock):
    visitor = signed_in(app)
    for _ in range(16):  # a request every 29 minutes: never idle
        clock.advance(minutes=29)
        visitor.get("/trang")
    clock.advance(minutes=20)  # 7 h 44 min + 20 min
    response = visitor.get("/trang", status=303)
    assert response.headers["location"] == "/trang/dang-nhap?next=/trang"


def test_signing_out_ends_the_session(app: Any):
    visitor = signed_in(app)
    assert visitor.submit("/trang/dang-xuat", {}, token_from="/trang").status_code == 303
    assert visitor.get("/trang", status=303).headers["location"].startswith("/trang/dang-nhap")


def test_an_unsigned_visitor_is_sent_to_sign_in_with_the_page_to_return_to(app: Any):
    response = Visitor(app).get("/trang/quan-tri/mat-khau?x=1", status=303)
    assert response.headers["location"] == "/trang/dang-nhap?next=/trang/quan-tri/mat-khau%3Fx%3D1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/trang",
        "//evil.example/trang",
        "/\\evil.example",
        "/trang\\..\\x",
        "http:/trang",
        "/trangx",
        "/docs",
        "javascript:alert(1)",
        "/trang/\x00",
        "/trang/\r\nSet-Cookie: x=1",
    ],
)
def test_sign_in_never_redirects_off_the_site(app: Any, target: str):
    response = Visitor(app).sign_in("lan-can-bo", next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/trang"


def test_an_administrator_reset_forces_a_change_before_anything_else(app: Any, ledger: Ledger):
    admin = signed_in(app, "admin")
    reset = admin.submit(
        "/trang/quan-tri/mat-khau", {"username": "lan-can-bo", "password": "tam-thoi-12345"}
    )
    assert reset.status_code == 200 and "Đã đặt mật khẩu cho lan-can-bo" in reset.text
    officer = Visitor(app)
    assert officer.sign_in("lan-can-bo", PASSWORD).status_code == 401
    assert officer.sign_in("lan-can-bo", "tam-thoi-12345").status_code == 303
    assert officer.get("/trang", status=303).headers["location"] == "/trang/doi-mat-khau"
    changed = officer.submit(
        "/trang/doi-mat-khau",
        {"current": "tam-thoi-12345", "new": "mới-của-tôi-1", "repeated": "mới-của-tôi-1"},
    )
    assert changed.status_code == 303
    officer.get("/trang")
    assert Visitor(app).sign_in("lan-can-bo", "mới-của-tôi-1").status_code == 303


def test_a_reset_ends_the_sessions_already_open(app: Any):
    officer = signed_in(app)
    signed_in(app, "admin").submit(
        "/trang/quan-tri/mat-khau", {"username": "lan-can-bo", "password": "tam-thoi-12345"}
    )
    assert officer.get("/trang", status=303).headers["location"].startswith("/trang/dang-nhap")


def test_only_an_administrator_resets_passwords(app: Any):
    officer = signed_in(app)
    response = officer.get("/trang/quan-tri/mat-khau", status=403)
    assert "vai trò của bạn không được phép" in response.text


HOSTILE = [
    "\x00",
    "ab\x07cdefghijkl",
    "mật\u0000khẩu-dài-đủ",
    "١٢٣٤٥٦٧٨٩٠١٢",
    "１２３４５６７８９０１",
    "\ufeff" + "a" * 12,
    "x" * 10_000,
    "",
    " " * 12,
    "\u202e" + "a" * 12,
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_user_names_and_passwords_are_refused_without_a_crash(app: Any, hostile: str):
    visitor = Visitor(app)
    assert visitor.sign_in(hostile, PASSWORD).status_code in (401, 422)
    assert visitor.sign_in("lan-can-bo", hostile).status_code in (401, 422)
    assert visitor.sign_in("lan-can-bo").status_code == 303


def test_a_form_that_is_not_utf_8_is_refused_without_a_crash(app: Any):
    visitor = Visitor(app)
    token = visitor.token()
    body = b"csrf=" + token.encode() + b"&username=lan-can-bo&password=%ED%A0%80%FF%FE"
    response = visitor.client.post(
        "/trang/dang-nhap",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (401, 422)


@pytest.mark.parametrize("hostile", ["\x00abcdefghijk", "ab\x1bcdefghijk", "short", "y" * 300])
def test_a_new_password_with_control_characters_or_a_bad_length_is_refused(app: Any, hostile: str):
    officer = signed_in(app)
    response = officer.submit(
        "/trang/doi-mat-khau", {"current": PASSWORD, "new": hostile, "repeated": hostile}
    )
    assert response.status_code == 422
    assert Visitor(app).sign_in("lan-can-bo").status_code == 303


def test_passwords_are_kept_as_argon2_hashes_beside_the_events(app: Any, ledger: Ledger):
    record = ledger.signin.credentials.password(str(user_id_for("lan-can-bo")))
    assert record is not None and record.hash.startswith("$argon2id$")
    events = list(ledger.store.recorder.select_notifications(start=1, limit=10_000))
    assert not any(PASSWORD.encode() in e.state or b"argon2" in e.state for e in events)


# --- CSRF: every POST page refuses a missing or wrong token -------------------------------


def post_page_routes(app: Any) -> list[str]:
    return sorted(
        context.path_format
        for context in iter_route_contexts(app.routes)
        if "POST" in (context.methods or ()) and context.path_format.startswith("/trang")
    )


def test_there_are_post_pages_to_check(app: Any):
    assert {"/trang/dang-nhap", "/trang/dang-xuat"} <= set(post_page_routes(app))


@pytest.mark.parametrize("token", [None, "", "0" * 64, "not-a-token", "x" * 5000])
def test_every_post_page_refuses_a_missing_or_wrong_token(app: Any, token: str | None):
    visitor = signed_in(app, "admin")
    for path in post_page_routes(app):
        concrete = path.replace("{", "").replace("}", "")  # any id: the token is checked first
        data = {} if token is None else {"csrf": token}
        response = visitor.client.post(concrete, data=data)
        assert response.status_code == 403, path
        assert "biểu mẫu đã hết hạn" in response.text, path
    visitor.get("/trang")  # still signed in: nothing was done


def test_a_token_of_another_session_is_refused(app: Any):
    mine, theirs = signed_in(app), signed_in(app, "admin")
    stolen = theirs.token("/trang")
    response = mine.client.post("/trang/dang-xuat", data={"csrf": stolen})
    assert response.status_code == 403


def test_signing_in_needs_the_token_of_the_sign_in_page(app: Any):
    visitor = Visitor(app)
    response = visitor.client.post(
        "/trang/dang-nhap", data={"username": "lan-can-bo", "password": PASSWORD}
    )
    assert response.status_code == 403
