"""A generated province with Hải Dương's 2023 per-group figures (domain.md §2.3) reproduces
the published recognition rates in the statistics export, within rounding, under the
published names of the target groups."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from application.adapters.read_models import ReadModels
from application.clients.exports import statistics_sheet, to_csv
from application.clients.generator import generate
from application.clients.generator.profile import load_profile
from application.ledger import Ledger
from application.services.criteria import seed_structures
from application.services.records import VIETNAM, FixedClock
from projections.statistics.queries import report
from tests.conftest import PG_URL, make_settings, require_postgres

SCALE = 1500
SEED = 7
AFTER_EVERYTHING = datetime(2026, 11, 20, 9, 0, tzinfo=VIETNAM)
NAMES = {
    "nong_dan": "Nông dân",
    "cong_nhan": "Công nhân",
    "can_bo": "Cán bộ",
}


@pytest.fixture(params=("sqlite", "postgres"))
def exported(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[list[str]]]:
    """The statistics export (CSV) of the simulated cycle, read back as rows."""
    backend = str(request.param)
    schema = None
    if backend == "postgres":
        require_postgres()
        schema = f"test_{uuid.uuid4().hex[:12]}"
    ledger = Ledger(make_settings(backend, tmp_path, schema), clock=FixedClock(AFTER_EVERYTHING))
    models = ReadModels(ledger.settings, ledger.store)
    try:
        profile = load_profile("hai-duong-2023")
        generate(ledger, SCALE, SEED, profile=profile)
        models.initialise()
        models.catch_up()
        result = report(
            models.engine,
            cycle_year=profile.simulated_cycle,
            structure=seed_structures().named("two_level"),
        )
        sheet = statistics_sheet(result, "hai cấp", ledger.criteria.group_labels())
        text = to_csv(sheet).decode("utf-8-sig")
        yield list(csv.reader(io.StringIO(text)))
    finally:
        models.close()
        ledger.close()
        if schema is not None:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_province_reproduces_hai_duong_2023_rates_by_group(exported: list[list[str]]):
    profile = load_profile("hai-duong-2023")
    headers_at = next(i for i, row in enumerate(exported) if row and row[0] == "Mã đơn vị")
    headers, rows = exported[headers_at], exported[headers_at + 1 :]
    province = next(row for row in rows if row[2] == "Cấp tỉnh")
    shown = dict(zip(headers, province, strict=True))
    registered_total = 0
    for group in profile.groups:
        prefix = next(
            h.removesuffix(": đăng ký")
            for h in headers
            if h.endswith(": đăng ký") and NAMES[group.code] in h
        )
        assert group.code not in prefix  # the label, not the code
        registered = int(shown[f"{prefix}: đăng ký"])
        recognised = int(shown[f"{prefix}: công nhận"])
        rate = Decimal(shown[f"{prefix}: tỷ lệ trên đăng ký (%)"])
        assert registered >= 20, "too few cases for the rate to mean anything"
        # Within rounding: exactly the nearest whole number of recognised subjects...
        assert abs(recognised - group.recognised_rate * registered / 100) <= Decimal("0.5")
        # ...so the rate is off by half a case at most.
        assert abs(rate - group.recognised_rate) <= Decimal(50) / registered + Decimal("0.01")
        registered_total += registered
    # Registrations follow the published shares (246, 211 and 61 thousand).
    for group in profile.groups:
        prefix = next(h for h in headers if h.endswith(": đăng ký") and NAMES[group.code] in h)
        share = Decimal(shown[prefix]) / registered_total
        published = Decimal(group.registered) / sum(g.registered for g in profile.groups)
        assert abs(share - published) < Decimal("0.05")
