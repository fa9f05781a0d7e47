"""The legal clocks of complaints (Law on Complaints 2011), computed from stored dates.

The periods are data (a rule document an administrator publishes); this module only counts.
Counting follows the usual rule for periods in days: the day the period starts from is not
counted, counting begins the next day, and the deadline is the last counted day. Days lost
to an objective obstacle (illness, disaster, travel for work or study...) are excluded from
the complainant's own periods, each day at most once, so an obstacle moves a deadline by
exactly its length. Periods counted in working days skip Saturdays, Sundays and the holidays
the rules list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.errors import InvalidInput

FILING = "filing"
ACCEPTANCE = "acceptance"
FIRST_RESOLUTION = "first_resolution"
SECOND_FILING = "second_filing"
SECOND_RESOLUTION = "second_resolution"
PERIOD_NAMES = (FILING, ACCEPTANCE, FIRST_RESOLUTION, SECOND_FILING, SECOND_RESOLUTION)

#: Periods that run against the complainant: their obstacles are excluded.
COMPLAINANT_PERIODS = frozenset({FILING, SECOND_FILING})


class InvalidClockRules(InvalidInput):
    code = "invalid-clock-rules"


@dataclass(frozen=True)
class Period:
    name: str
    days: int
    complex_days: int | None
    remote_days: int | None
    remote_complex_days: int | None
    working_days: bool
    basis: str

    def length(self, *, complex_case: bool, remote: bool) -> int:
        """The number of days for a case that is (or not) complex and in a remote area."""
        if remote and complex_case and self.remote_complex_days is not None:
            return self.remote_complex_days
        if remote and self.remote_days is not None:
            return self.remote_days
        if complex_case and self.complex_days is not None:
            return self.complex_days
        return self.days


@dataclass(frozen=True)
class ClockRules:
    code: str
    title: str
    legal_basis: str
    effective_from: date
    periods: dict[str, Period]
    holidays: frozenset[date]


@dataclass(frozen=True)
class Obstacle:
    """Days lost to an objective obstacle, both ends included."""

    first_day: date
    last_day: date
    kind: str

    def days(self) -> Iterable[date]:
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)


def _whole(value: Any, where: str, required: bool = True) -> int | None:
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidClockRules(f"{where}: số ngày nguyên dương", field=where)
    return value


def parse_clock_rules(content: dict[str, Any]) -> ClockRules:
    try:
        code = str(content["code"]).strip()
        title = str(content["title"]).strip()
        legal_basis = str(content["legal_basis"]).strip()
        effective_from = date.fromisoformat(str(content["effective_from"]))
        raw_periods = content["periods"]
        holidays = frozenset(date.fromisoformat(str(d)) for d in content.get("holidays") or ())
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidClockRules(
            f"cần code, title, legal_basis, effective_from, periods ({exc})"
        ) from exc
    missing = [name for name in PERIOD_NAMES if name not in raw_periods]
    if missing or not code:
        raise InvalidClockRules(f"thiếu thời hạn: {', '.join(missing)}", missing=missing)
    periods = {}
    for name in PERIOD_NAMES:
        item = raw_periods[name]
        periods[name] = Period(
            name=name,
            days=_whole(item.get("days"), f"periods.{name}.days") or 0,
            complex_days=_whole(item.get("complex_days"), f"{name}.complex_days", False),
            remote_days=_whole(item.get("remote_days"), f"{name}.remote_days", False),
            remote_complex_days=_whole(
                item.get("remote_complex_days"), f"{name}.remote_complex_days", False
            ),
            working_days=item.get("unit", "days") == "working_days",
            basis=str(item.get("basis", legal_basis)),
        )
    return ClockRules(code, title, legal_basis, effective_from, periods, holidays)


def deadline(
    rules: ClockRules,
    period_name: str,
    start: date,
    *,
    complex_case: bool = False,
    remote: bool = False,
    obstacles: Iterable[Obstacle] = (),
) -> date:
    """The last day of a period that starts from ``start``."""
    period = rules.periods[period_name]
    remaining = period.length(complex_case=complex_case, remote=remote)
    excluded: set[date] = set()
    if period_name in COMPLAINANT_PERIODS:
        for obstacle in obstacles:
            excluded.update(obstacle.days())
    day = start
    while remaining > 0:
        day += timedelta(days=1)
        if day in excluded:
            continue
        if period.working_days and (day.weekday() >= 5 or day in rules.holidays):
            continue
        remaining -= 1
    return day
