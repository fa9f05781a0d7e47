"""Vietnam's public holidays, generated as clock-rule data (python-holidays, checked here
against the days the Government announced for 2025 and 2026)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from application.clients.holidays import public_holidays, source, with_holidays
from domain.clocks import parse_clock_rules

SEED = Path(__file__).resolve().parents[2] / "application" / "seed"
CLOCKS = json.loads((SEED / "complaint-clocks-2011.json").read_text(encoding="utf-8"))

#: Announced by the Government (Bộ LĐ-TB&XH notices for 2025 and 2026): Tết Ất Tỵ 27/1-31/1
#: 2025 and Tết Bính Ngọ 16/2-20/2 2026 for civil servants, Giỗ Tổ 7/4/2025 and 27/4/2026
#: (26/4 is a Sunday), 30/4, 1/5 (and 2/5/2025, swapped for Saturday 26/4), 1-2/9.
ANNOUNCED = {
    2025: [
        "2025-01-01",
        "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
        "2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02",
    ],
    2026: [
        "2026-01-01",
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
        "2026-04-27", "2026-04-30", "2026-05-01", "2026-09-01", "2026-09-02",
    ],
}  # fmt: skip


def weekdays_off(year: int) -> list[str]:
    return [
        h["date"]
        for h in public_holidays(range(year, year + 1))
        if date.fromisoformat(h["date"]).weekday() < 5
    ]


def test_the_generated_weekdays_off_include_every_announced_day():
    for year, announced in ANNOUNCED.items():
        assert set(announced) <= set(weekdays_off(year)), year


def test_every_generated_holiday_is_named_in_vietnamese_and_in_date_order():
    listed = public_holidays(range(2024, 2031))
    assert [h["date"] for h in listed] == sorted(h["date"] for h in listed)
    assert all(h["name"].strip() for h in listed)
    assert any("Tết Nguyên Đán" in h["name"] for h in listed)


def test_replacing_some_years_keeps_the_days_listed_for_the_others():
    content = CLOCKS | {"holidays": ["2019-09-02", {"date": "2026-03-10", "name": "cũ"}]}
    updated = with_holidays(content, range(2026, 2027))
    dates = [h["date"] if isinstance(h, dict) else h for h in updated["holidays"]]
    assert "2019-09-02" in dates and "2026-03-10" not in dates
    assert "2026-02-17" in dates
    assert updated["sources"][-1] == source() and source().startswith("python-holidays")
    assert content["holidays"][1] == {"date": "2026-03-10", "name": "cũ"}  # not changed in place
    assert parse_clock_rules(updated).holidays  # what it publishes parses


def test_the_seed_clocks_list_the_generated_days_of_their_years():
    seeded = {h["date"] for h in CLOCKS["holidays"]}
    assert {h["date"] for h in public_holidays(range(2024, 2031))} == seeded
