"""Over HTTP, a log that no longer verifies is not signed (409) and /health says so."""

from __future__ import annotations

import pytest

from tests.api.helpers import Api, seed_content
from tests.api.test_errors import assert_problem
from tests.application.test_tamper import RawLog


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_rewritten_log_is_refused_a_signature_and_health_turns_degraded(api: Api):
    api.user("inspector", ["inspector"])
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    first = api.post("inspector", "/audit/checkpoints", status=201).json()
    assert api.client.get("/health").json()["status"] == "ok"

    raw = RawLog(api.ledger.settings)
    raw.set_state(5, raw.state(5).replace(b"criteria", b"cr1teria"))
    refused = api.post("inspector", "/audit/checkpoints")
    assert_problem(refused, 409, "log-not-verified")
    assert refused.json()["errors"]["position"] == 5

    assert api.client.get("/audit/checkpoints").json()["checkpoints"] == [first]
    health = api.client.get("/health").json()
    assert health["status"] == "degraded" and "hash-mismatch" in health["signing_refused"]
    metrics = api.client.get("/metrics").text
    assert "hoctap_checkpoint_refused 1.0" in metrics
