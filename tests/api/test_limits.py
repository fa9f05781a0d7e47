"""Request size and rate limits answer with problems, and other clients are unaffected.

The size limit holds whatever the transfer encoding: a chunked body declares no length, so
it is counted as it is read and cut at the limit. The rate limit keys on the token however
its header is spelled, and garbage credentials cannot grow its memory.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from api.app import create_app
from api.limits import MAX_BUCKETS, Limits, bucket_key
from application.settings import Settings
from tests.api.helpers import Api
from tests.conftest import make_settings

#: Small, so a body past the limit is cheap to send; the limit adds 64 KiB for form fields.
MAX_UPLOAD = 256 * 1024
LIMIT = MAX_UPLOAD + 64 * 1024
#: What asyncio reads from a socket at once (``selector_events._SelectorTransport.max_size``).
SOCKET_READ = 256 * 1024
MiB = 1024 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.max_upload_bytes = MAX_UPLOAD
    return settings


def log_position(api: Api) -> int:
    assert api.ledger is not None
    return api.ledger.store.recorder.max_notification_id() or 0


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(api: Api, settings: Settings):
    too_big = settings.max_upload_bytes + 64 * 1024 + 1
    response = api.client.post(
        "/units",
        content=b"x" * too_big,
        headers=api.headers("admin", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request-too-large"


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body with no declared length: httpx sends it chunked."""
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b" " * piece


@pytest.mark.parametrize("idempotency_key", [None, "cut-body-0001"])
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/units", "application/json"),
        ("/complaints", "application/json"),
        ("/criteria-sets", "application/json"),
        ("/cases/00000000-0000-0000-0000-000000000001/evidence", "multipart/form-data; boundary=b"),
    ],
)
def test_a_chunked_body_past_the_limit_is_cut_with_413_and_writes_nothing(
    api: Api, path: str, content_type: str, idempotency_key: str | None
):
    before = log_position(api)
    headers = api.headers("admin", **{"Content-Type": content_type, "If-Match": '"1"'})
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    response = api.client.post(path, content=chunks(LIMIT + MiB), headers=headers)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request-too-large"
    assert response.json()["max_bytes"] == LIMIT
    assert log_position(api) == before


def test_a_chunked_body_within_the_limit_is_read_whole(api: Api):
    unit = {"code": "T01", "name": "Tỉnh", "level": "province", "unit_type": "tinh"}
    body = json.dumps(unit | {"valid_from": "2008-01-01"}).encode()
    padded = body + b" " * (LIMIT - len(body))  # exactly at the limit: still accepted
    response = api.client.post(
        "/units",
        content=iter([padded[: LIMIT // 2], padded[LIMIT // 2 :]]),
        headers=api.headers("admin", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 201, response.text


def test_a_key_whose_body_was_cut_is_free_for_the_retry(api: Api):
    headers = api.headers(
        "admin", **{"Content-Type": "application/json", "Idempotency-Key": "cut-then-retry-1"}
    )
    cut = api.client.post("/units", content=chunks(LIMIT + 1), headers=headers)
    assert cut.status_code == 413
    unit = {"code": "T02", "name": "Tỉnh", "level": "province", "unit_type": "tinh"}
    retried = api.client.post("/units", json=unit | {"valid_from": "2008-01-01"}, headers=headers)
    assert retried.status_code == 201, retried.text


# --- a live server: the body is cut where it is read, not after it has all arrived ---------


class CountingReceive:
    """Wraps the app as the server sees it: counts every body byte the app asks for."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.read = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[int, CountingReceive]]:
    settings = make_settings("sqlite", tmp_path / "var")
    settings.max_upload_bytes = MAX_UPLOAD
    counting = CountingReceive(create_app(settings))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(counting, host="127.0.0.1", port=port, log_level="warning", http="h11")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield port, counting
    server.should_exit = True
    thread.join(timeout=30)


@pytest.mark.parametrize("extra_header", [b"", b"Idempotency-Key: live-chunked-1\r\n"])
def test_a_live_server_stops_reading_a_chunked_body_at_the_limit(
    live: tuple[int, CountingReceive], extra_header: bytes
):
    """Also with Idempotency-Key, whose middleware buffers the body: it reads within the cut."""
    port, counting = live
    offered = 64 * MiB
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:

        def read_answer() -> None:
            try:
                while data := sock.recv(65536):
                    received.extend(data)
            except OSError:
                pass

        reader = threading.Thread(target=read_answer)
        reader.start()
        sock.sendall(
            b"POST /units HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n" + extra_header + b"\r\n"
        )
        piece = b" " * (64 * 1024)
        frame = b"%x\r\n%s\r\n" % (len(piece), piece)
        sent = 0
        try:
            while sent < offered and not received:
                sock.sendall(frame)
                sent += len(piece)
        except OSError:  # the server answered and closed: the rest is not wanted
            pass
        reader.join(timeout=10)
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"connection: close" in head.lower()
    assert json.loads(body)["code"] == "request-too-large"
    assert sent < offered
    # The limit, plus what the message that passed it carried: uvicorn hands the app all it
    # has buffered, up to one socket read (asyncio reads 256 KiB at a time) past its 64 KiB
    # high-water mark, so on a loaded machine one message can hold several frames.
    assert counting.read <= LIMIT + SOCKET_READ + 64 * 1024


# --- rate: one bucket per token, however it is spelled; garbage cannot grow the map --------


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


def test_every_spelling_of_one_token_draws_from_one_bucket(api: Api, settings: Settings):
    settings.rate_limit_per_second, settings.rate_limit_burst = 0.01, 3
    token = api.tokens["admin"]
    spellings = [f"Bearer {token}", f"bearer  {token}", f"BEARER {token}", f"bEaReR \t{token}"]
    statuses = [
        api.client.get("/users/me", headers={"Authorization": spelling}).status_code
        for spelling in spellings
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


def well_formed_token(account: str = "") -> str:
    return f"htl_{account}{secrets.token_urlsafe(32)}"


@given(
    scheme=st.sampled_from(["Bearer", "bearer", "BEARER", "BeArEr"]),
    gap=st.text(" ", min_size=1, max_size=4),
    before=st.text(" \t", max_size=3),
    after=st.text(" \t", max_size=3),
)
def test_the_bucket_key_ignores_the_case_of_the_scheme_and_the_spaces(
    scheme: str, gap: str, before: str, after: str
):
    token = "htl_" + "ab" * 16 + "." + "x" * 43
    scope: Scope = {"client": ("10.0.0.1", 5000)}
    assert bucket_key(scope, f"{before}{scheme}{gap}{token}{after}") == bucket_key(
        scope, f"Bearer {token}"
    )


def limits(tmp_path: Path) -> Limits:
    """The middleware alone; a bucket refills too slowly to matter while a test runs."""
    settings = make_settings("memory", tmp_path / "var")
    settings.rate_limit_per_second, settings.rate_limit_burst = 0.001, 3
    return Limits(app=lambda *a: None, settings=settings)  # type: ignore[arg-type]


def ask(limiter: Limits, credentials: str, client: str = "10.0.0.1") -> int:
    scope = {
        "type": "http",
        "path": "/users/me",
        "headers": [(b"authorization", credentials.encode())],
        "client": (client, 5000),
    }
    refusal = limiter.refusal(scope)
    return 200 if refusal is None else refusal.status_code


def test_100k_garbage_credentials_share_one_bucket_per_client(tmp_path: Path):
    limiter = limits(tmp_path)
    statuses = [ask(limiter, f"Bearer rác-{i}") for i in range(100_000)]
    assert len(limiter.buckets) == 1
    assert statuses[:3] == [200] * 3 and set(statuses[3:]) == {429}
    assert ask(limiter, "Bearer rác", client="10.0.0.2") == 200  # another address: its own


def test_100k_well_formed_unknown_tokens_keep_the_map_bounded_and_a_busy_token_limited(
    tmp_path: Path,
):
    limiter = limits(tmp_path)
    busy = f"Bearer {well_formed_token('cd' * 16 + '.')}"
    assert [ask(limiter, busy) for _ in range(4)] == [200, 200, 200, 429]
    for i in range(100_000):
        ask(limiter, f"Bearer {well_formed_token()}")
        if i % 1000 == 0:
            assert ask(limiter, busy) == 429  # still drained: the flood did not reset it
    assert len(limiter.buckets) <= MAX_BUCKETS
