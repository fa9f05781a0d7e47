"""Request size and rate limits answer with problems, and other clients are unaffected."""

from __future__ import annotations

from application.settings import Settings
from tests.api.helpers import Api


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(api: Api, settings: Settings):
    too_big = settings.max_upload_bytes + 64 * 1024 + 1
    response = api.client.post(
        "/units",
        content=b"x" * too_big,
        headers=api.headers("admin", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request-too-large"


def test_a_token_over_its_rate_is_told_when_to_retry_and_others_carry_on(
    api: Api, settings: Settings
):
    api.user("other", ["inspector"])
    settings.rate_limit_per_second, settings.rate_limit_burst = 1.0, 5
    statuses = [api.get("admin", "/users/me", status=None).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    limited = api.get("admin", "/users/me", status=None)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate-limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert api.get("other", "/users/me", status=None).status_code == 200
