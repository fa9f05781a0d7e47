"""A deployment of three provinces on real stores: three SQLite folders, or three
PostgreSQL schemas of the test's own (dropped after)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from application.clients.provinces import Provinces
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import Role
from tests.conftest import PG_URL, make_settings, require_postgres

CODES = ("01", "31", "79")
NAMES = ("Thành phố Hà Nội", "Thành phố Hải Phòng", "Thành phố Hồ Chí Minh")
#: After the generator's last day, so every generated step has happened.
AFTER_EVERYTHING = datetime(2026, 11, 20, 9, 0, tzinfo=VIETNAM)
CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "provinces")


@dataclass
class Deployment:
    base: Settings
    file: Path
    schemas: dict[str, str]


def write_provinces(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"provinces": entries}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(params=("sqlite", "postgres"))
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    backend = str(request.param)
    schemas: dict[str, str] = {}
    if backend == "postgres":
        require_postgres()
        prefix = f"test_{uuid.uuid4().hex[:10]}"
        schemas = {code: f"{prefix}_{code}" for code in CODES}
    entries = [
        {"code": code, "name": name, **({"database_schema": schemas[code]} if schemas else {})}
        for code, name in zip(CODES, NAMES, strict=True)
    ]
    file = write_provinces(tmp_path / "tinh.json", entries)
    base = make_settings(backend, tmp_path / "var").model_copy(update={"provinces_file": file})
    try:
        yield Deployment(base, file, schemas)
    finally:
        if schemas:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                for schema in schemas.values():
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def provinces(deployment: Deployment) -> Iterator[Provinces]:
    opened = Provinces(deployment.base, clock=FixedClock(AFTER_EVERYTHING))
    yield opened
    opened.close()


def chain_size(provinces: Provinces, code: str) -> int:
    return provinces.ledger_for(code).store.recorder.max_notification_id() or 0
