"""A scratch PostgreSQL schema for the reliability checks, which start real processes on it.

The checks live in ``ops/reliability`` (``python -m ops.reliability <check>``); these tests
run the same code with small parameters. Like every PostgreSQL test they are skipped without
a server on a developer's machine, and fail under CI=true when it is unreachable.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ops.reliability.common import Scratch, scratch_store
from tests.conftest import PG_URL, require_postgres


@pytest.fixture
def pg_scratch() -> Iterator[Scratch]:
    require_postgres()
    with scratch_store("postgres", url=PG_URL) as scratch:
        yield scratch
