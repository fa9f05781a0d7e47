"""Shared fixtures: the same tests run on memory, SQLite and PostgreSQL.

PostgreSQL tests isolate themselves in a fresh schema. Under CI=true they always run: an
unreachable server fails the run (``.ci/run`` starts the local cluster first); on a
developer's machine without a server they are skipped with the reason.
"""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import fastapi.dependencies.models
import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from application.services.records import VIETNAM, FixedClock
from application.settings import Settings

#: Under mutmut (which sets MUTANT_UNDER_TEST and runs the same tests many times in one
#: process) examples are derandomised, so a mutant is killed or not the same way every run.
#: No example has a deadline: the machines are shared and noisy (an example that took 0.6 ms
#: took 537 ms once under load), and speed is measured by ops/bench, never by a test.
hypothesis_settings.register_profile("shared-machine", deadline=None)
hypothesis_settings.register_profile(
    "mutants",
    parent=hypothesis_settings.get_profile("shared-machine"),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
)
hypothesis_settings.load_profile(
    "mutants" if "MUTANT_UNDER_TEST" in os.environ else "shared-machine"
)

#: FastAPI remembers, in module-level LRU caches of 4,096 entries each, whether every endpoint
#: and dependency it saw is a coroutine or a generator; an app's own closures (the offline
#: docs' pages) are among them and hold the app, its ledger, views and pools. Production runs
#: one app a process; here tests make ~2,000, and the caches kept hundreds of them alive: the
#: suite's process grew to ~4.5 GB, every full garbage collection walked it all, and freeing
#: it at exit took ~6 minutes. Forgotten after each test (a cache a later FastAPI drops is
#: skipped; one it renames would show as the memory growing again).
_FASTAPI_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    for name in _FASTAPI_CACHES:
        cached = getattr(fastapi.dependencies.models, name, None)
        if cached is not None:
            cached.cache_clear()


PG_URL = os.environ.get("HOCTAP_TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ("memory", "sqlite", "postgres")


def postgres_available() -> str | None:
    """None if the server answers, else why not."""
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable at {PG_URL}: {exc}".strip()
    return None


def require_postgres() -> None:
    problem = postgres_available()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true requires PostgreSQL: {problem}")
    pytest.skip(f"no local PostgreSQL (these tests always run in CI): {problem}")


@contextmanager
def fresh_pg_schema() -> Iterator[str]:
    """A fresh, empty schema, dropped afterwards."""
    require_postgres()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_schema() -> Iterator[str]:
    with fresh_pg_schema() as schema:
        yield schema


def make_settings(backend: str, var_dir: Path, schema: str | None = None) -> Settings:
    common = {
        "environment": "test",
        "var_dir": var_dir,
        "master_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "lookup_secret": secrets.token_urlsafe(24),
        "rate_limit_per_second": 0,  # tests that are about the limit set their own
    }
    if backend == "postgres":
        return Settings(database_url=PG_URL, database_schema=schema or "public", **common)
    return Settings(store=backend, **common)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=VIETNAM))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    schema = request.getfixturevalue("pg_schema") if backend == "postgres" else None
    return make_settings(backend, tmp_path / "var", schema)
