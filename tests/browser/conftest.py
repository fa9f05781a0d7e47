"""Browser tests: Playwright drives Debian's Chromium against a live server on the demo data.

The server is a real uvicorn on a free port, over a temporary var directory (SQLite) loaded
with the demo province, in a thread of the test process. Playwright never downloads a browser:
it launches ``/usr/bin/chromium`` (``make chromium`` installs it). Without it the browser tests
are skipped with the reason, except under CI=true, where they fail.

``make screenshots`` sets HOCTAP_SCREENSHOTS to a folder; the ``screenshot`` fixture then
writes a PNG of the page under test there, so the screenshots in docs/ show what the tests saw.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from application.clients.demo import demo_passwords, load_demo
from application.ledger import Ledger
from tests.conftest import IN_CI, make_settings

CHROMIUM = Path("/usr/bin/chromium")
#: Generous: CI and developers share small machines, and a slow page is the bench's concern.
TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    ledger: Ledger
    #: The demo accounts' passwords (``make run`` prints the same kind), by user name.
    passwords: dict[str, str]

    def url(self, path: str) -> str:
        return self.base_url + path

    def sign_in(self, page: Any, username: str) -> None:
        """Sign in through the form, as a person would."""
        page.goto("/trang/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(self.passwords[username])
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(self.base_url + "/trang")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A uvicorn server on the demo data, for the whole session."""
    settings = make_settings("sqlite", tmp_path_factory.mktemp("browser") / "var")
    settings.projections_in_api = True
    ledger = Ledger(settings)
    load_demo(ledger)
    ledger.auditor.make_checkpoint(ledger.clock.now())
    passwords = {user: password for _, user, password in demo_passwords(ledger)}
    port = _free_port()
    app = create_app(settings, ledger=ledger)
    app.state.read_models.catch_up()  # the pages read views: have them hold the demo first
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", ledger, passwords)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.read_models.close()  # the app closes its views only with a ledger of its own
        ledger.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (make chromium installs Debian's chromium)"
        if IN_CI:
            pytest.fail(f"CI=true requires the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, live_server: LiveServer) -> Iterator[object]:
    """A fresh browser context (no cookies) and page; any request leaving 127.0.0.1 fails."""
    from playwright.sync_api import Browser, Route, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=live_server.base_url, locale="vi-VN")

    def offline(route: Route) -> None:
        if route.request.url.startswith(live_server.base_url):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshot(page: object) -> Callable[..., None]:
    """``screenshot("name")`` writes name.png under $HOCTAP_SCREENSHOTS when it is set: the
    first screen, or the whole page with ``full_page=True``."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    folder = os.environ.get("HOCTAP_SCREENSHOTS")

    def take(name: str, full_page: bool = False) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)

    return take
