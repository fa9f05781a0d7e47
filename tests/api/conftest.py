"""An HTTP client on a fresh ledger, for each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from tests.api.helpers import Api, bootstrap_admin


@pytest.fixture
def ledger(settings: Settings, clock: FixedClock) -> Iterator[Ledger]:
    the_ledger = Ledger(settings, clock=clock)
    yield the_ledger
    the_ledger.close()


@pytest.fixture
def api(settings: Settings, ledger: Ledger) -> Iterator[Api]:
    settings.projections_in_api = True  # PostgreSQL too: no separate runner in these tests
    token = bootstrap_admin(ledger)
    with TestClient(create_app(settings, ledger=ledger)) as client:
        yield Api(client, token, ledger)
