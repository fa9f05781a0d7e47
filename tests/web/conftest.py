"""Pages on the demo data: an app over a fresh ledger with the demo loaded, each demo
account with a password, and browsers (``Visitor``) signed in as any of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.clients.demo import demo_passwords, load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from projections.standings.queries import list_cases
from tests.api.pages import Visitor
from tests.conftest import fresh_pg_schema, make_settings

SIGNED_AT = datetime(2026, 11, 20, 10, tzinfo=VIETNAM)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Demo:
    def __init__(self, app: Any, ledger: Ledger, passwords: dict[str, str]) -> None:
        self.app, self.ledger, self.passwords = app, ledger, passwords
        self.signed_in: dict[str, Visitor] = {}

    def visitor(self, username: str | None = None) -> Visitor:
        """A browser signed out, or signed in as ``username`` (one sign-in per user and
        world: sign-in is rate-limited per client, and a test client is one client)."""
        if username is None:
            return Visitor(self.app)
        if username not in self.signed_in:
            visitor = Visitor(self.app)
            assert visitor.sign_in(username, self.passwords[username]).status_code == 303
            self.signed_in[username] = visitor
        return self.signed_in[username]

    def granted_case(self) -> UUID:
        engine = self.app.state.read_models.engine
        self.app.state.read_models.catch_up()
        granted = list_cases(engine, status="granted", model="cong_dan_hoc_tap").items
        return UUID(str(granted[0]["case_id"]))


@contextmanager
def demo_world(settings: Settings, *, signed: bool) -> Iterator[Demo]:
    settings.projections_in_api = True
    # a module's shared world lives beside each test's own: keep both small on PostgreSQL
    settings.pool_size, settings.pool_max_overflow = 2, 3
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 11, 20, tzinfo=VIETNAM)))
    load_demo(ledger)
    if signed:
        ledger.auditor.make_checkpoint(SIGNED_AT)
    passwords = {user: password for _, user, password in demo_passwords(ledger)}
    app = create_app(settings, ledger=ledger)
    try:
        with TestClient(app):
            app.state.read_models.catch_up()
            yield Demo(app, ledger, passwords)
    finally:  # the app closes its views only with a ledger of its own
        app.state.read_models.close()
        ledger.close()


@pytest.fixture
def demo(settings: Settings) -> Iterator[Demo]:
    """A demo of its own, with no checkpoint yet: for tests that sign or change the log."""
    with demo_world(settings, signed=False) as world:
        yield world


@contextmanager
def signed_demo(backend: str, var: Path) -> Iterator[Demo]:
    """A demo with a signed checkpoint on ``backend`` (PostgreSQL: in a fresh schema)."""
    if backend == "postgres":
        with (
            fresh_pg_schema() as schema,
            demo_world(make_settings("postgres", var, schema), signed=True) as world,
        ):
            yield world
    else:
        with demo_world(make_settings("sqlite", var), signed=True) as world:
            yield world


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """One signed demo for the module's tests that only read (loading it takes seconds)."""
    with signed_demo(request.param, tmp_path_factory.mktemp("web") / "var") as world:
        yield world
