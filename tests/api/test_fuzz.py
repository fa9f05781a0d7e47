"""Schemathesis against /openapi.json: no input makes the server fail, and every documented
response matches its schema. Bounded: a few cases per operation, on the in-memory store.

The app is built when this module is collected (schemathesis needs the schema then); its
store lives in memory and its files in a temporary folder.
"""

from __future__ import annotations

import base64
import secrets
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from application.ledger import Ledger
from application.settings import Settings
from domain.base import CommandContext
from tests.api.helpers import bootstrap_admin

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG = Settings(
    store="memory",
    var_dir=Path(tempfile.mkdtemp(prefix="hoctap-fuzz-")),
    environment="test",
    master_key=base64.b64encode(secrets.token_bytes(32)).decode(),
    lookup_secret=secrets.token_urlsafe(16),
    checkpoint_every_seconds=0,
    rate_limit_per_second=0,
)
LEDGER = Ledger(CONFIG)
TOKEN = bootstrap_admin(LEDGER)
LEDGER.criteria.load_seed_criteria(CommandContext("cli:fuzz", "administrator", "fuzz"))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(CONFIG, ledger=LEDGER))


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_server_fail(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
